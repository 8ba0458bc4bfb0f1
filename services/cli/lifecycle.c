/*  lifecycle.c - the unit's requests after approval (R10-R13): extend
    the test, go live, change, terminate; and an emergency change
    reported by the unit or the vendor (R12.3).  The bureau decides them
    in decide.c.                                                         */
#include "lifecycle.h"
#include <sodium.h>

//  extend APP --until DATE --reason TEXT: R10.2.
int
lifecycle_cmd_extend (cli_opts_t *opts)
{
    if (!cli_need (opts->until, "--until 日期") ||
        !cli_need (opts->reason, "--reason 理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_str (&body.pk, "until", opts->until);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    return cli_send (opts,
                     YJC_SVC_INTAKE,
                     "request.extend_test",
                     &body,
                     "延长测试申请已提交，编号 %s");
}

//  golive APP --function T --performance T --security T
//         [--report FILE --lab NAME --cnas NO]: R10.3, R11.1.
int
lifecycle_cmd_golive (cli_opts_t *opts)
{
    if (!cli_need (opts->function, "--function 功能测试结果") ||
        !cli_need (opts->performance, "--performance 性能测试结果") ||
        !cli_need (opts->security, "--security 安全测试结果"))
        return 2;
    if (opts->report && (!cli_need (opts->lab, "--lab 测评机构") ||
                         !cli_need (opts->cnas, "--cnas CNAS 认可编号")))
        return 2;
    files_info_t report = { 0 };
    if (opts->report) {
        cli_session_t intake;
        if (cli_session_open (&intake, opts, YJC_SVC_INTAKE) != 0)
            return 1;
        int rc =
            cli_upload (&intake, opts, opts->report, "第三方测评报告", &report);
        cli_session_close (&intake);
        if (rc != 0)
            return rc;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    msgpack_packer *pk = yjc_map_key (&map, "results");
    msgpack_pack_map (pk, 3);
    yjc_pk_kv_str (pk, "function", opts->function);
    yjc_pk_kv_str (pk, "performance", opts->performance);
    yjc_pk_kv_str (pk, "security", opts->security);
    if (opts->report) {
        pk = yjc_map_key (&map, "test_report");
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "lab", opts->lab);
        yjc_pk_kv_str (pk, "cnas_no", opts->cnas);
        yjc_pk_kv_str (pk, "att_id", report.att_id);
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    return cli_send (opts,
                     YJC_SVC_INTAKE,
                     "request.go_live",
                     &body,
                     "上线申请已提交，编号 %s");
}

//  change APP RESOURCES.json --reason TEXT [--major --attach K=F…]
//         [--emergency ORDER]: R12 (the paperwork of an emergency one).
int
lifecycle_cmd_change (cli_opts_t *opts)
{
    if (!cli_need (opts->reason, "--reason 变更理由"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    yjc_map_str (&map, "reason", opts->reason);
    yjc_map_key (&map, "resources");
    int rc = cli_read_json (opts->args[1], &map.entries.buf);
    if (opts->major)
        yjc_map_bool (&map, "major", true);
    if (opts->emergency)
        yjc_map_str (&map, "emergency_order", opts->emergency);
    if (rc == 0 && opts->nattach) {
        cli_session_t intake;
        rc = cli_session_open (&intake, opts, YJC_SVC_INTAKE) == 0
                 ? cli_upload_materials (&intake, opts, &map)
                 : 1;
        cli_session_close (&intake);
    }
    if (rc != 0) {
        yjc_map_release (&map);
        return rc;
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    return cli_send (opts,
                     YJC_SVC_INTAKE,
                     "request.change",
                     &body,
                     opts->emergency ? "紧急变更补办手续已提交，编号 %s"
                                     : "变更申请已提交，编号 %s");
}

//  terminate APP --offline-confirmed --data backed_up|migrated
//            --reason TEXT: R13.1.
int
lifecycle_cmd_terminate (cli_opts_t *opts)
{
    if (!cli_need (opts->data, "--data backed_up|migrated") ||
        !cli_need (opts->reason, "--reason 理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 4);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_bool (&body.pk, "offline_confirmed", opts->offline_confirmed);
    yjc_pk_kv_str (&body.pk, "data", opts->data);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    return cli_send (opts,
                     YJC_SVC_INTAKE,
                     "request.terminate",
                     &body,
                     "终止申请已提交，编号 %s");
}

//  renew APP --years N --reason TEXT: R14.3, before the period ends; the
//  period after renewal is again 1 to 3 years (R14.1).
int
lifecycle_cmd_renew (cli_opts_t *opts)
{
    if (!cli_need (opts->years ? "set" : NULL, "--years 续期年数（1至3）") ||
        !cli_need (opts->reason, "--reason 理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_int (&body.pk, "years", opts->years);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    return cli_send (opts,
                     YJC_SVC_INTAKE,
                     "request.renew",
                     &body,
                     "续期申请已提交，编号 %s");
}

//  emergency APP RESOURCES.json --reason TEXT: R12.3, by the unit or the
//  vendor; the paperwork follows with change --emergency ORDER.
int
lifecycle_cmd_emergency (cli_opts_t *opts)
{
    if (!cli_need (opts->reason, "--reason 紧急情况说明"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    yjc_map_str (&map, "description", opts->reason);
    yjc_map_key (&map, "resources");
    int rc = cli_read_json (opts->args[1], &map.entries.buf);
    if (rc != 0) {
        yjc_map_release (&map);
        return rc;
    }
    //  the report's own key: the same report sent again (the clerk runs
    //  the command once more after a timeout) is the same order
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest,
                        (const unsigned char *)map.entries.buf.data,
                        map.entries.buf.size);
    char key[4 + 2 * 16 + 1] = "cli-";
    for (int i = 0; i < 16; i++)
        snprintf (key + 4 + 2 * i, 3, "%02x", digest[i]);
    yjc_map_str (&map, "report_key", key);
    yjc_pack_t body;
    cli_body (&map, &body);
    return cli_send (opts,
                     YJC_SVC_PROVISIONING,
                     "emergency.report",
                     &body,
                     "紧急变更已报备，订单 "
                     "%s，供应商可立即实施；使用单位须在期限内补办变更手续");
}

/*  yjcloud - the command-line client of the platform.

    Every command is a row of s_commands: its words, its arguments, who
    answers it, and how its reply is shown.  Output is readable Chinese
    text, or one JSON object with --json.  Whose key signs the requests
    is chosen with --as NAME (or YJC_ACTOR); the services decide what that
    actor may do.  This file parses the options and finds the row; each
    group of commands lives in its own file, with a header naming its
    commands, and all of them share cli.h.                               */
#include "admin.h"
#include "app.h"
#include "attachment.h"
#include "audit.h"
#include "calendar.h"
#include "cli.h"
#include "compliance.h"
#include "decide.h"
#include "elastic.h"
#include "idle.h"
#include "inbox.h"
#include "inspect.h"
#include "lifecycle.h"
#include "orders.h"
#include "problems.h"
#include "rating.h"
#include "reclaim.h"
#include "statement_pdf.h"
#include "table.h"
#include "utilization.h"
#include "utilization_pdf.h"
#include "webuser.h"
#include "yjc_config.h"
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>

//  long options without a letter
//  long options past the letters (256 on)
enum { S_OPT_PDF = 256, S_OPT_FROM_JSON, S_OPT_ACTOR, S_OPT_QUARTER };

/* ---- the command table ------------------------------------------------- */

typedef struct {
    const char *words; //  "calendar workdays"
    int nargs;         //  positional arguments after the words
    cli_command_fn *fn;
    const char *usage; //  arguments and options: the only ones it takes
    const char *help;  //  in Chinese
} s_command_t;

static const s_command_t s_commands[] = {
    { "status",
      0,
      admin_cmd_status,
      "",
      "各服务运行状态、版本、数据库、待投递事件" },
    { "keys init",
      0,
      admin_cmd_keys_init,
      "",
      "生成各服务自己的密钥（已有则保留）" },
    { "actor add",
      1,
      admin_cmd_actor_add,
      "名称 --role 角色 [--unit 单位]",
      "新增身份（unit/bureau/vendor/auditor/admin）及其密钥" },
    { "actor list", 0, admin_cmd_actor_list, "", "列出全部身份" },
    { "web-user add",
      1,
      webuser_cmd_add,
      "名称 --role 角色 [--unit 单位]",
      "新增网页控制台账号（同名身份，密钥以一次性密码加密保存）" },
    { "web-user passwd",
      1,
      webuser_cmd_passwd,
      "名称",
      "重置网页账号密码（换新密钥）" },
    { "web-user disable",
      1,
      webuser_cmd_disable,
      "名称",
      "停用网页账号（撤销其密钥）" },
    { "calendar workdays",
      2,
      calendar_cmd_workdays,
      "日期 N",
      "日期之后第 N 个工作日（期限截止日）" },
    { "calendar period",
      2,
      calendar_cmd_period,
      "日期 15d|3m|3y",
      "自该日起的期间届满日（遇休息日顺延）" },
    { "calendar is-workday", 1, calendar_cmd_is_workday, "日期", "是否工作日" },
    { "calendar show",
      1,
      calendar_cmd_show,
      "年份",
      "该年节假日；尚未公布的年份按法定节假日暂定" },
    { "calendar publish",
      1,
      calendar_cmd_publish,
      "文件 [--local]",
      "公布一年的放假安排，各服务即时采用（主管部门；--local 本县调整）" },
    { "form template",
      0,
      app_cmd_form_template,
      "",
      "打印空白申请表（JSON，按 proto 定义；a|b 表示可选值）" },
    { "apply",
      1,
      app_cmd_apply,
      "申请表.json [--attach 材料种类=文件]…",
      "提交资源申请审核表及申请材料（单位）" },
    { "attachment put",
      1,
      attachment_cmd_put,
      "文件",
      "上传一份材料（≤20 MiB），得到附件编号" },
    { "attachment get",
      1,
      attachment_cmd_get,
      "附件编号 [--out 文件]",
      "下载材料并核对 SHA-256" },
    { "list",
      0,
      app_cmd_list,
      "[--state 状态] [--unit 单位] [--year 年份] 或 --overdue",
      "申请列表；--overdue：逾期事项，谁办、期限、逾期几个工作日" },
    { "show", 1, app_cmd_show, "申请编号", "查看申请及办理过程" },
    { "accept", 1, decide_cmd_accept, "申请编号", "受理（主管部门）" },
    { "decline",
      1,
      decide_cmd_decline,
      "申请编号 --opinion 意见",
      "不予受理（主管部门）" },
    { "approve",
      1,
      decide_cmd_approve,
      "申请编号 [--opinion 意见] [--grant 核定.json]",
      "审核通过，可按项核减（主管部门）" },
    { "reject",
      1,
      decide_cmd_reject,
      "申请编号 --opinion 意见",
      "审核不通过（主管部门）" },
    { "withdraw",
      1,
      decide_cmd_withdraw,
      "申请编号 [--opinion 意见]",
      "撤回本单位尚未决定的申请（单位）" },
    { "orders", 0, orders_cmd_list, "", "待处理订单（供应商）" },
    { "extend",
      1,
      lifecycle_cmd_extend,
      "申请编号 --until 日期 --reason 理由",
      "申请延长测试期（单位，R10.2）" },
    { "golive",
      1,
      lifecycle_cmd_golive,
      "申请编号 --function 结果 --performance 结果 --security 结果 "
      "[--report 文件 --lab 测评机构 --cnas 认可编号]",
      "申请上线；等保三级须附第三方测评报告（单位，R10.3）" },
    { "change",
      2,
      lifecycle_cmd_change,
      "申请编号 资源.json --reason 理由 [--major --attach 材料种类=文件…] "
      "[--emergency 订单编号]",
      "申请资源变更，或补办紧急变更手续（单位，R12）" },
    { "terminate",
      1,
      lifecycle_cmd_terminate,
      "申请编号 --offline-confirmed --data backed_up|migrated --reason 理由",
      "申请终止服务（单位，R13.1）" },
    { "renew",
      1,
      lifecycle_cmd_renew,
      "申请编号 --years 年数 --reason 理由",
      "使用期限届满前申请续期，1至3年（单位，R14.3）" },
    { "expire",
      1,
      decide_cmd_expire,
      "申请编号 --opinion 意见",
      "批准已到期系统下线并备份数据（主管部门，R14.4）" },
    { "emergency",
      2,
      lifecycle_cmd_emergency,
      "申请编号 资源.json --reason 情况说明",
      "紧急变更报备，先实施后补手续（单位或供应商，R12.3）" },
    { "report-problem",
      1,
      problems_cmd_report,
      "申请编号 --severity 紧急|高|一般|低 --text 问题描述 "
      "[--attach 附件编号或文件]…",
      "报告系统问题，送达供应商和主管部门（单位，R15）" },
    { "problems",
      0,
      problems_cmd_list,
      "[--open] [--app 申请编号]",
      "问题报告：状态、确认及解决用时、已过时间（单位只看本单位，R15）" },
    { "reorder",
      1,
      orders_cmd_reorder,
      "订单编号 [--opinion 意见]",
      "对供应商交付失败的订单重新下单（主管部门）" },
    { "request approve",
      1,
      decide_cmd_request_approve,
      "申请事项编号 [--opinion 意见] [--grant 核定.json] [--until 日期]",
      "同意申请事项（主管部门）" },
    { "request reject",
      1,
      decide_cmd_request_reject,
      "申请事项编号 --opinion 意见",
      "不同意申请事项（主管部门）" },
    { "elastic",
      1,
      elastic_cmd_set,
      "申请编号 [--hosts 规格[@配置序号]:下限-上限]… [--bandwidth 下限-上限] "
      "[--storage 下限-上限] [--opinion 意见]",
      "核定弹性范围，供应商可在范围内伸缩（主管部门，R11.2）" },
    { "allocations",
      1,
      audit_cmd_allocations,
      "申请编号",
      "资源分配与计费区间" },
    { "reclaim propose",
      1,
      reclaim_cmd_propose,
      "申请编号 [--hosts 配置:台数]… [--bandwidth Mbps] [--storage TB] "
      "[--databases 类型:数量]… --evidence 依据",
      "提出收回闲置资源，单位可在异议期内提出异议（主管部门，R11.3）" },
    { "reclaim object",
      1,
      reclaim_cmd_object,
      "收回编号 --text 异议",
      "对收回闲置资源提出异议，异议期内一次（单位，R11.3）" },
    { "reclaim approve",
      1,
      reclaim_cmd_approve,
      "收回编号 --opinion 意见",
      "决定收回，供应商 3 个工作日内完成（主管部门，R11.3）" },
    { "reclaim reject",
      1,
      reclaim_cmd_reject,
      "收回编号 --opinion 意见",
      "决定不收回（主管部门，R11.3）" },
    { "reclaim show",
      1,
      reclaim_cmd_show,
      "收回编号",
      "查看收回闲置资源：依据、异议期、单位异议、决定" },
    { "reclaims",
      0,
      reclaim_cmd_list,
      "[--app 申请编号]",
      "收回闲置资源列表：状态、异议期、单位异议" },
    //  R18, R19: inspections, findings, enforcement; the security staff
    { "security-staff",
      1,
      inspect_cmd_staff,
      "申请编号 --name 姓名 --phone 电话",
      "更新安全管理人员（单位，R19）" },
    { "inspect record",
      1,
      inspect_cmd_record,
      "检查记录.json",
      "记录安全检查及发现的问题，限期整改（主管部门，R18）" },
    { "rectify",
      1,
      inspect_cmd_rectify,
      "问题编号 --text 整改情况 [--attach 附件编号]…",
      "报送整改情况（单位，R18、R19）" },
    { "finding accept",
      1,
      inspect_cmd_accept,
      "问题编号 --opinion 意见",
      "整改通过（主管部门，R18）" },
    { "finding return",
      1,
      inspect_cmd_return,
      "问题编号 --opinion 意见",
      "整改退回，单位须继续整改（主管部门，R18）" },
    { "findings",
      0,
      inspect_cmd_list,
      "[--open] [--overdue] [--app 申请编号]",
      "检查发现的问题：等级、整改期限、状态、强制措施" },
    { "enforce lift",
      1,
      inspect_cmd_lift,
      "问题编号 [--opinion 意见]",
      "整改通过后解除强制措施（主管部门，R18）" },
    { "enforce",
      1,
      inspect_cmd_enforce,
      "问题编号 --measure cut_network|take_offline|suspend [--opinion 意见]",
      "重大风险逾期未整改：断网、下线或暂停服务（主管部门，R18）" },
    { "audit events",
      0,
      audit_cmd_events,
      "[--app 申请编号] [--unit 单位] [--actor 操作人] [--type 事件类型] "
      "[--since 日期] [--until 日期] [--after 序号] [--limit 条数] [--csv]",
      "审计记录（审计、主管部门）" },
    { "audit checkpoints",
      0,
      audit_cmd_checkpoints,
      "",
      "导出审计链的签名检查点（另行保存，供 audit verify --checkpoints "
      "核验）" },
    { "audit verify",
      0,
      audit_cmd_verify,
      "[--from 序号] [--to 序号] [--checkpoints 文件]",
      "重算审计链并核验签名，指出第一条不符的事件" },
    //  before "inbox": the longer words first; -1: an ID or --all
    { "inbox read",
      -1,
      inbox_cmd_read,
      "通知编号 或 --all",
      "标为已读（只对本身份）" },
    { "inbox",
      0,
      inbox_cmd_list,
      "[--unread] [--limit 条数] [--unit 单位]",
      "通知：决定、新的办理事项、将到期和已逾期的期限" },
    { "idle-rule set",
      0,
      idle_cmd_rule_set,
      "--days 天数 --cpu-p95 百分比 --mem-p95 百分比 --silent-days 天数",
      "调整闲置资源认定规则（主管部门，R11.3）" },
    { "idle-rule", 0, idle_cmd_rule, "", "闲置资源认定规则" },
    { "compliance",
      0,
      compliance_cmd,
      "--year 年度 [--csv]",
      "供应商履约（R16、R21）及各期限规则按时/逾期统计" },
    { "idle",
      0,
      idle_cmd_list,
      "[--limit 条数]",
      "闲置候选：依据（采样数据）及回收可释放的资源（主管部门、审计）" },
    //  R17: before "prices": the longer words first
    { "prices publish",
      1,
      rating_cmd_publish,
      "文件",
      "发布服务价格（JSON，以分计的月价；主管部门）" },
    { "prices",
      0,
      rating_cmd_prices,
      "[--at 日期]",
      "服务价格版本及执行中的价格" },
    { "statement",
      -1,
      rating_cmd_statement,
      "[单位] --year 年度 [--csv] [--pdf 文件]（或 --from-json 结算单.json "
      "--pdf 文件）",
      "年度费用结算单（R17）：各系统各资源项的天数、单价、金额及合计" },
    { "utilization",
      -1,
      utilization_cmd,
      "[申请编号|单位] --quarter 季度 [--pdf 文件]（或 --from-json "
      "使用情况.json --pdf 文件）",
      "季度资源使用情况：分配与实际使用、无采样天数、优化建议（R16）" },
};

static void
s_usage (FILE *out)
{
    fprintf (out, "用法：yjcloud [--as 身份] [--json] 命令 …\n\n命令：\n");
    cli_table_t *table = cli_table_new (3, 2);
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++)
        cli_table_row (table,
                       s_commands[i].words,
                       s_commands[i].help,
                       s_commands[i].usage);
    cli_table_print (table, out);
    cli_table_destroy (&table);
    fprintf (out,
             "\n选项：--as 身份（或 YJC_ACTOR）以该身份操作；--json 输出 "
             "JSON；--timeout 毫秒。\n");
}

//  True when the command's usage names --`option`: a command takes the
//  options its usage shows, and those every command takes, no others.
static bool
s_takes (const s_command_t *cmd, const char *option)
{
    static const char *everywhere[] = { "as", "json", "timeout", "help" };
    for (size_t i = 0; i < sizeof everywhere / sizeof *everywhere; i++)
        if (streq (option, everywhere[i]))
            return true;
    size_t n = strlen (option);
    for (const char *p = strstr (cmd->usage, "--"); p; p = strstr (p + 2, "--"))
        if (strncmp (p + 2, option, n) == 0 &&
            !(isalnum ((unsigned char)p[2 + n]) || p[2 + n] == '-'))
            return true;
    return false;
}

//  An integer option's value; false after saying why not.
static bool
s_integer (const char *option, const char *text, int64_t *value)
{
    char *end;
    errno = 0;
    long long n = strtoll (text, &end, 10);
    if (errno || end == text || *end || n < 0) {
        fprintf (stderr, "选项 --%s 应为非负整数：%s\n", option, text);
        return false;
    }
    *value = n;
    return true;
}

//  Finds the command whose words start argv; sets *used to their count.
static const s_command_t *
s_find (int argc, char **argv, int *used)
{
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++) {
        char words[64];
        snprintf (words, sizeof words, "%s", s_commands[i].words);
        int n = 0;
        bool match = true;
        for (char *w = strtok (words, " "); w; w = strtok (NULL, " "), n++)
            if (n >= argc || !streq (argv[n], w))
                match = false;
        if (match) {
            *used = n;
            return &s_commands[i];
        }
    }
    return NULL;
}

int
main (int argc, char **argv)
{
    //  display widths of Chinese text (table.c)
    if (!setlocale (LC_CTYPE, "C.UTF-8"))
        setlocale (LC_CTYPE, "");
    zsys_init ();
    zsys_set_logstream (stderr);
    cli_opts_t opts = { .as = yjc_config (YJC_CFG_ACTOR),
                        .timeout_ms = 10000,
                        .days = -1,
                        .cpu_p95 = -1,
                        .mem_p95 = -1,
                        .silent_days = -1 };
    static struct option longopts[] = {
        { "as", required_argument, 0, 'a' },
        { "json", no_argument, 0, 'j' },
        { "timeout", required_argument, 0, 't' },
        { "opinion", required_argument, 0, 'o' },
        { "role", required_argument, 0, 'r' },
        { "unit", required_argument, 0, 'u' },
        { "state", required_argument, 0, 's' },
        { "app", required_argument, 0, 'p' },
        { "after", required_argument, 0, 'f' },
        { "limit", required_argument, 0, 'l' },
        { "overdue", no_argument, 0, 'O' },
        { "local", no_argument, 0, 'Z' },
        { "grant", required_argument, 0, 'g' },
        { "year", required_argument, 0, 'y' },
        { "attach", required_argument, 0, 'A' },
        { "until", required_argument, 0, 'U' },
        { "reason", required_argument, 0, 'R' },
        { "function", required_argument, 0, 'F' },
        { "performance", required_argument, 0, 'P' },
        { "security", required_argument, 0, 'S' },
        { "report", required_argument, 0, 'T' },
        { "lab", required_argument, 0, 'L' },
        { "cnas", required_argument, 0, 'C' },
        { "major", no_argument, 0, 'M' },
        { "offline-confirmed", no_argument, 0, 'N' },
        { "emergency", required_argument, 0, 'E' },
        { "data", required_argument, 0, 'D' },
        { "out", required_argument, 0, 'w' },
        { "unread", no_argument, 0, 'n' },
        { "all", no_argument, 0, 'x' },
        { "hosts", required_argument, 0, 'H' },
        { "databases", required_argument, 0, 'B' },
        { "bandwidth", required_argument, 0, 'W' },
        { "storage", required_argument, 0, 'G' },
        { "evidence", required_argument, 0, 'V' },
        { "text", required_argument, 0, 'X' },
        { "days", required_argument, 0, '1' },
        { "cpu-p95", required_argument, 0, '2' },
        { "mem-p95", required_argument, 0, '3' },
        { "silent-days", required_argument, 0, '4' },
        { "years", required_argument, 0, 'Y' },
        { "severity", required_argument, 0, 'e' },
        { "open", no_argument, 0, 'k' },
        { "name", required_argument, 0, 'K' },
        { "phone", required_argument, 0, 'Q' },
        { "measure", required_argument, 0, 'm' },
        { "from", required_argument, 0, '5' },
        { "to", required_argument, 0, '6' },
        { "checkpoints", required_argument, 0, '7' },
        { "type", required_argument, 0, '8' },
        { "since", required_argument, 0, 'z' },
        { "csv", no_argument, 0, 'q' },
        { "pdf", required_argument, 0, S_OPT_PDF },
        { "from-json", required_argument, 0, S_OPT_FROM_JSON },
        { "actor", required_argument, 0, S_OPT_ACTOR },
        { "at", required_argument, 0, '9' },
        { "quarter", required_argument, 0, S_OPT_QUARTER },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    //  GNU getopt permutes: options may stand anywhere, and the command's
    //  words and arguments end up in argv[optind..].
    //  the options given, checked against the command's once it is known
    const char *given[64];
    int ngiven = 0;
    int64_t number = 0;
    int c, index = -1;
    opterr = 0; //  said in Chinese below
    while ((c = getopt_long (argc, argv, ":", longopts, &index)) != -1) {
        if (c == '?' || c == ':') {
            fprintf (stderr,
                     c == ':' ? "选项 %s 缺少取值\n" : "没有选项 %s\n",
                     argv[optind - 1]);
            fprintf (stderr, "（yjcloud --help 列出全部命令及其选项）\n");
            return 2;
        }
        if (index >= 0 && ngiven < 64)
            given[ngiven++] = longopts[index].name;
        if ((c == 't' || c == 'f' || c == 'l' || c == 'y' || c == 'Y' ||
             (c >= '1' && c <= '6')) &&
            !s_integer (longopts[index].name, optarg, &number))
            return 2;
        index = -1;
        switch (c) {
            case 'a': opts.as = optarg; break;
            case 'j': opts.json = true; break;
            case 't':
                opts.timeout_ms =
                    number > 0 && number < 3600000 ? (int)number : 10000;
                break;
            case 'o': opts.opinion = optarg; break;
            case 'r': opts.role = optarg; break;
            case 'u': opts.unit = optarg; break;
            case 's': opts.state = optarg; break;
            case 'p': opts.app = optarg; break;
            case 'f': opts.after = number; break;
            case '5': opts.from = number; break;
            case '6': opts.to = number; break;
            case '7': opts.checkpoints = optarg; break;
            case '8': opts.type = optarg; break;
            case 'z': opts.since = optarg; break;
            case 'q': opts.csv = true; break;
            case S_OPT_ACTOR: opts.actor = optarg; break;
            case '9': opts.at = optarg; break;
            case S_OPT_QUARTER: opts.quarter = optarg; break;
            case 'l': opts.limit = number; break;
            case 'O': opts.overdue = true; break;
            case 'Z': opts.local = true; break;
            case 'g': opts.grant = optarg; break;
            case 'y': opts.year = number; break;
            case 'A':
                if (opts.nattach == 32) {
                    fprintf (stderr, "--attach 最多 32 份\n");
                    return 2;
                }
                opts.attach[opts.nattach++] = optarg;
                break;
            case 'w': opts.out = optarg; break;
            case 'U': opts.until = optarg; break;
            case 'R': opts.reason = optarg; break;
            case 'F': opts.function = optarg; break;
            case 'P': opts.performance = optarg; break;
            case 'S': opts.security = optarg; break;
            case 'T': opts.report = optarg; break;
            case 'L': opts.lab = optarg; break;
            case 'C': opts.cnas = optarg; break;
            case 'M': opts.major = true; break;
            case 'N': opts.offline_confirmed = true; break;
            case 'E': opts.emergency = optarg; break;
            case 'D': opts.data = optarg; break;
            case 'n': opts.unread = true; break;
            case 'x': opts.all = true; break;
            case 'H':
            case 'B': {
                const char **list = c == 'H' ? opts.hosts : opts.databases;
                int *n = c == 'H' ? &opts.nhosts : &opts.ndatabases;
                int cap = c == 'H' ? 50 : 16;
                if (*n == cap) {
                    fprintf (stderr,
                             "--%s 最多 %d 项\n",
                             c == 'H' ? "hosts" : "databases",
                             cap);
                    return 2;
                }
                list[(*n)++] = optarg;
                break;
            }
            case 'W': opts.bandwidth = optarg; break;
            case 'G': opts.storage = optarg; break;
            case 'V': opts.evidence = optarg; break;
            case 'X': opts.text = optarg; break;
            case '1': opts.days = number; break;
            case '2': opts.cpu_p95 = number; break;
            case '3': opts.mem_p95 = number; break;
            case '4': opts.silent_days = number; break;
            case 'Y': opts.years = number; break;
            case 'e': opts.severity = optarg; break;
            case 'k': opts.open = true; break;
            case 'K': opts.name = optarg; break;
            case 'Q': opts.phone = optarg; break;
            case 'm': opts.measure = optarg; break;
            case S_OPT_PDF: opts.pdf = optarg; break;
            case S_OPT_FROM_JSON: opts.from_json = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    int used = 0;
    const s_command_t *cmd = s_find (argc - optind, argv + optind, &used);
    if (!cmd) {
        s_usage (stderr);
        return 2;
    }
    for (int i = 0; i < ngiven; i++)
        if (!s_takes (cmd, given[i])) {
            fprintf (stderr,
                     "命令 %s 不接受选项 --%s（用法：yjcloud %s %s）\n",
                     cmd->words,
                     given[i],
                     cmd->words,
                     cmd->usage);
            return 2;
        }
    opts.args = argv + optind + used;
    opts.nargs = argc - optind - used;
    if (cmd->nargs >= 0 ? opts.nargs != cmd->nargs : opts.nargs > 1) {
        fprintf (stderr, "用法：yjcloud %s %s\n", cmd->words, cmd->usage);
        return 2;
    }
    return cmd->fn (&opts);
}

/*  yjc_sla.c - the SLA of deadline rules (see yjc_sla.h).              */
#include "yjc_sla.h"
#include "yjc_pack.h"
#include <stdlib.h>
#include <string.h>

#define S_RULES_MAX 64

typedef struct {
    char what[33];
    char rule[200];
    char owed_by[17];
    int steps, on_time, open;
    int *lates; //  the late steps' lateness, working days
    int nlates, cap;
} s_rule_t;

struct _yjc_sla_t {
    s_rule_t rules[S_RULES_MAX];
    int count;
};

yjc_sla_t *
yjc_sla_new (void)
{
    return (yjc_sla_t *)calloc (1, sizeof (yjc_sla_t));
}

void
yjc_sla_destroy (yjc_sla_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (int i = 0; i < (*self_p)->count; i++)
        free ((*self_p)->rules[i].lates);
    free (*self_p);
    *self_p = NULL;
}

static s_rule_t *
s_rule (yjc_sla_t *self, const char *what, const char *rule, const char *by)
{
    for (int i = 0; i < self->count; i++)
        if (strcmp (self->rules[i].what, what) == 0 &&
            strcmp (self->rules[i].rule, rule) == 0)
            return &self->rules[i];
    if (self->count == S_RULES_MAX)
        return NULL;
    s_rule_t *r = &self->rules[self->count++];
    snprintf (r->what, sizeof r->what, "%s", what);
    snprintf (r->rule, sizeof r->rule, "%s", rule);
    snprintf (r->owed_by, sizeof r->owed_by, "%s", by);
    return r;
}

int
yjc_sla_add (yjc_sla_t *self,
             const yjc_calendar_t *cal,
             const char *what,
             const char *rule,
             const char *owed_by,
             const char *due,
             const char *done,
             const char *today)
{
    bool open = !done || !*done;
    yjc_date_t d_due, d_done;
    int late = 0;
    if (yjc_date_parse (due, &d_due) != 0 ||
        yjc_date_parse (open ? today : done, &d_done) != 0 ||
        yjc_calendar_workdays_between (cal, d_due, d_done, &late, NULL, 0) != 0)
        return -1;
    if (open && late == 0)
        return 0; //  open and not yet late: not a step of the SLA (yet)
    s_rule_t *r = s_rule (self, what, rule ? rule : "", owed_by);
    if (!r)
        return -1;
    r->steps++;
    r->open += open;
    if (late == 0) {
        r->on_time++;
        return 0;
    }
    if (r->nlates == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        int *grown = (int *)realloc (r->lates, (size_t)cap * sizeof (int));
        if (!grown)
            return -1;
        r->lates = grown;
        r->cap = cap;
    }
    r->lates[r->nlates++] = late;
    return 0;
}

static int
s_cmp (const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

void
yjc_sla_pack (const yjc_sla_t *self, msgpack_packer *pk)
{
    msgpack_pack_array (pk, (uint32_t)self->count);
    for (int i = 0; i < self->count; i++) {
        const s_rule_t *r = &self->rules[i];
        if (r->nlates > 1)
            qsort (r->lates, (size_t)r->nlates, sizeof (int), s_cmp);
        msgpack_pack_map (pk, 9);
        yjc_pk_kv_str (pk, "what", r->what);
        yjc_pk_kv_str (pk, "rule", r->rule);
        yjc_pk_kv_str (pk, "owed_by", r->owed_by);
        yjc_pk_kv_int (pk, "steps", r->steps);
        yjc_pk_kv_int (pk, "on_time", r->on_time);
        yjc_pk_kv_int (pk, "late", r->nlates);
        yjc_pk_kv_int (pk, "open", r->open);
        //  the median of an even count: the lower middle (whole days)
        yjc_pk_kv_int (
            pk, "median_late", r->nlates ? r->lates[(r->nlates - 1) / 2] : 0);
        yjc_pk_kv_int (
            pk, "worst_late", r->nlates ? r->lates[r->nlates - 1] : 0);
    }
}

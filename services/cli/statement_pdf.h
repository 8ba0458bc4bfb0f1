/*  statement_pdf.h - the annual statement (part A's billing.statement
    reply) as the PDF a finance office files (R17): 永嘉县电子政务云服务
    费用年度结算单, per unit or for the county (a section per unit and a
    county total page), the total in figures and in 人民币大写.
    Command: statement --from-json FILE --pdf OUT re-renders a reply saved
    with --json.  The statement command itself calls statement_pdf_write
    when --pdf is given.                                                */
#ifndef STATEMENT_PDF_H_INCLUDED
#define STATEMENT_PDF_H_INCLUDED

#include "cli.h"

//  Renders a billing.statement reply body to `path`: 0, or 1 after
//  saying why not (a reply of another shape, an unwritable file).
int statement_pdf_write (const msgpack_object *reply, const char *path);

//  statement --from-json FILE --pdf OUT
int statement_pdf_cmd (cli_opts_t *opts);

#endif

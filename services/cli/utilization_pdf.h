/*  utilization_pdf.h - the quarterly utilization (part C's
    billing.utilization reply, R16) as PDF: a page per application with
    its table of allocated against used resources, the advice, and a
    small chart per host of its daily CPU and memory p95 over the quarter.
    Command: utilization --from-json FILE --pdf OUT re-renders a reply
    saved with --json; the utilization command calls
    utilization_pdf_write when --pdf is given.                         */
#ifndef UTILIZATION_PDF_H_INCLUDED
#define UTILIZATION_PDF_H_INCLUDED

#include "cli.h"

//  Renders a billing.utilization reply body to `path`: 0, or 1 after
//  saying why not.
int utilization_pdf_write (const msgpack_object *reply, const char *path);

//  utilization --from-json FILE --pdf OUT
int utilization_pdf_cmd (cli_opts_t *opts);

#endif

/*  pdf.h - an A4 document a finance office files: a title, header
    lines, tables (column widths and alignment, cells that wrap, the
    header row repeated on every page a table runs onto), a signature and
    seal block, and 第 N 页 共 M 页 under every page.  Text is set with
    pango in Noto Sans CJK / Noto Serif CJK (fontconfig), drawn by cairo.
    Pages are recorded while the document is laid out and written out at
    pdf_doc_save, when their count is known.  Lengths are in points
    (1/72 inch; PDF_MM converts millimetres).                           */
#ifndef PDF_H_INCLUDED
#define PDF_H_INCLUDED

#include <cairo.h>
#include <stdbool.h>

#define PDF_MM(mm) ((mm)*72.0 / 25.4)

typedef struct _pdf_doc_t pdf_doc_t;

typedef enum { PDF_LEFT, PDF_CENTER, PDF_RIGHT } pdf_align_t;

typedef enum {
    PDF_ROW_PLAIN,
    PDF_ROW_TOTAL, //  bold on a light shade: a subtotal or total
} pdf_row_t;

typedef struct {
    const char *header;
    double width; //  points; the widths of a table add up to pdf_doc_width
    pdf_align_t align;
} pdf_column_t;

//  A document of A4 portrait pages; `footer` is printed at the left of
//  every page's foot (the page numbers at the right), or NULL.
pdf_doc_t *pdf_doc_new (const char *footer);
void pdf_doc_destroy (pdf_doc_t **self_p);
//  The width between the margins.
double pdf_doc_width (pdf_doc_t *self);

//  The document's title, centred, in the serif face.
void pdf_doc_title (pdf_doc_t *self, const char *text);
//  A line of text (wrapped at the margins); `size` in points, 0 for the
//  body size.
void pdf_doc_text (pdf_doc_t *self,
                   const char *text,
                   double size,
                   bool bold,
                   pdf_align_t align);
//  "label value" pairs side by side on one line: the label in bold.
void pdf_doc_fields (pdf_doc_t *self,
                     const char *left_label,
                     const char *left,
                     const char *right_label,
                     const char *right);
void pdf_doc_space (pdf_doc_t *self, double points);
void pdf_doc_new_page (pdf_doc_t *self);
//  Starts a new page unless `points` of height are left on this one.
void pdf_doc_need (pdf_doc_t *self, double points);

//  A table of `ncols` columns (copied); its header row is drawn now and
//  again at the top of every page its rows run onto.
void pdf_doc_table (pdf_doc_t *self, const pdf_column_t *columns, int ncols);
//  One row of the current table: `cells[ncols]`; a NULL cell joins the
//  cell to its left (a label spanning columns).  `repeat` (or NULL) is
//  put in the first cell instead of an empty one when the row starts a
//  page: the system a continued group of rows belongs to.
void pdf_doc_row (pdf_doc_t *self,
                  const char **cells,
                  pdf_row_t style,
                  const char *repeat);
void pdf_doc_table_end (pdf_doc_t *self);

//  编制单位、审核人、日期、盖章: boxes to sign and seal, kept on one page.
void pdf_doc_signatures (pdf_doc_t *self, const char *unit);

//  Reserves `height` points of the page (a new page if they do not fit)
//  and returns the cairo context to draw in, with *x, *y its top left.
cairo_t *pdf_doc_area (pdf_doc_t *self, double height, double *x, double *y);
//  Draws a line of text at (x, y) top left, in the body face.
void pdf_doc_draw_text (pdf_doc_t *self,
                        double x,
                        double y,
                        const char *text,
                        double size,
                        pdf_align_t align,
                        double width);

//  Writes the pages to `path` with their numbers: 0, or -1 (said why,
//  in Chinese, on stderr).
int pdf_doc_save (pdf_doc_t *self, const char *path);

#endif

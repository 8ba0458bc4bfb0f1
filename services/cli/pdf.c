/*  pdf.c - the A4 document builder on cairo and pango (see pdf.h).    */
#include "pdf.h"
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PAGE_W        595.276
#define S_PAGE_H        841.890
#define S_MARGIN_X      PDF_MM (18)
#define S_MARGIN_TOP    PDF_MM (18)
#define S_MARGIN_BOTTOM PDF_MM (20) //  the page numbers stand below it
#define S_BODY_SIZE     9.0
#define S_PAD_X         3.0
#define S_PAD_Y         2.5
#define S_SANS          "Noto Sans CJK SC"
#define S_SERIF         "Noto Serif CJK SC"
#define S_COLUMNS_MAX   16

struct _pdf_doc_t {
    cairo_surface_t **pages; //  recording surfaces, one per page
    int npages, cap;
    cairo_t *cr;  //  on the last page
    double y;     //  where the next block starts
    char *footer; //  left of the foot of every page
    char *title;  //  the PDF's metadata title: the first pdf_doc_title
    pdf_column_t columns[S_COLUMNS_MAX];
    int ncols; //  of the current table, 0 outside one
};

/* ---- text -------------------------------------------------------------- */

//  A layout of `text` (markup when `markup`) for `width` points (wrapped
//  at characters when a word does not fit), or unbounded when width <= 0.
static PangoLayout *
s_layout (cairo_t *cr,
          const char *text,
          bool markup,
          const char *family,
          double size,
          bool bold,
          double width,
          pdf_align_t align)
{
    PangoLayout *layout = pango_cairo_create_layout (cr);
    //  unhinted metrics: the widths pango measures are those in the PDF
    cairo_font_options_t *options = cairo_font_options_create ();
    cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options (pango_layout_get_context (layout),
                                          options);
    cairo_font_options_destroy (options);
    //  Chinese glyph forms (simplified), whatever the process locale
    pango_context_set_language (pango_layout_get_context (layout),
                                pango_language_from_string ("zh-cn"));
    pango_layout_context_changed (layout);
    PangoFontDescription *font = pango_font_description_new ();
    pango_font_description_set_family (font, family);
    pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
    pango_font_description_set_weight (
        font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description (layout, font);
    pango_font_description_free (font);
    if (width > 0) {
        pango_layout_set_width (layout, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment (layout,
                                align == PDF_CENTER  ? PANGO_ALIGN_CENTER
                                : align == PDF_RIGHT ? PANGO_ALIGN_RIGHT
                                                     : PANGO_ALIGN_LEFT);
    if (markup)
        pango_layout_set_markup (layout, text, -1);
    else
        pango_layout_set_text (layout, text, -1);
    return layout;
}

static double
s_height (PangoLayout *layout)
{
    int w, h;
    pango_layout_get_size (layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void
s_show (cairo_t *cr, PangoLayout *layout, double x, double y)
{
    cairo_set_source_rgb (cr, 0, 0, 0);
    cairo_move_to (cr, x, y);
    pango_cairo_update_layout (cr, layout);
    pango_cairo_show_layout (cr, layout);
}

/* ---- pages ------------------------------------------------------------- */

static double
s_bottom (void)
{
    return S_PAGE_H - S_MARGIN_BOTTOM;
}

static void s_table_header (pdf_doc_t *self);

static void
s_open_page (pdf_doc_t *self)
{
    if (self->cr)
        cairo_destroy (self->cr);
    if (self->npages == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 8;
        self->pages = (cairo_surface_t **)realloc (
            self->pages, (size_t)self->cap * sizeof *self->pages);
        if (!self->pages)
            abort ();
    }
    cairo_rectangle_t extents = { 0, 0, S_PAGE_W, S_PAGE_H };
    cairo_surface_t *page =
        cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
    self->pages[self->npages++] = page;
    self->cr = cairo_create (page);
    self->y = S_MARGIN_TOP;
    if (self->ncols)
        s_table_header (self);
}

pdf_doc_t *
pdf_doc_new (const char *footer)
{
    pdf_doc_t *self = (pdf_doc_t *)calloc (1, sizeof (pdf_doc_t));
    if (!self)
        abort ();
    self->footer = strdup (footer ? footer : "");
    s_open_page (self);
    return self;
}

void
pdf_doc_destroy (pdf_doc_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pdf_doc_t *self = *self_p;
    cairo_destroy (self->cr);
    for (int i = 0; i < self->npages; i++)
        cairo_surface_destroy (self->pages[i]);
    free (self->pages);
    free (self->footer);
    free (self->title);
    pdf_doc_table_end (self);
    free (self);
    *self_p = NULL;
    //  The font caches pango keeps for the process: a CLI draws one
    //  document.  (cairo_debug_reset_static_data and FcFini are not
    //  called: they abort when a cache entry is still referenced, as on
    //  a failed save; tests/lsan.supp names what cairo and fontconfig
    //  keep until exit.)
    pango_cairo_font_map_set_default (NULL);
}

double
pdf_doc_width (pdf_doc_t *self)
{
    (void)self;
    return S_PAGE_W - 2 * S_MARGIN_X;
}

void
pdf_doc_new_page (pdf_doc_t *self)
{
    s_open_page (self);
}

void
pdf_doc_need (pdf_doc_t *self, double points)
{
    if (self->y + points > s_bottom () && self->y > S_MARGIN_TOP + 1)
        s_open_page (self);
}

void
pdf_doc_space (pdf_doc_t *self, double points)
{
    self->y += points;
}

//  Lays a block of text out across the page, on this page if it fits.
static void
s_block (pdf_doc_t *self, PangoLayout *layout, double after)
{
    double h = s_height (layout);
    pdf_doc_need (self, h);
    //  the layout was made on the old page's context: same fonts
    s_show (self->cr, layout, S_MARGIN_X, self->y);
    self->y += h + after;
}

void
pdf_doc_title (pdf_doc_t *self, const char *text)
{
    if (!self->title)
        self->title = strdup (text);
    PangoLayout *layout = s_layout (self->cr,
                                    text,
                                    false,
                                    S_SERIF,
                                    17,
                                    true,
                                    pdf_doc_width (self),
                                    PDF_CENTER);
    s_block (self, layout, PDF_MM (5));
    g_object_unref (layout);
}

void
pdf_doc_text (pdf_doc_t *self,
              const char *text,
              double size,
              bool bold,
              pdf_align_t align)
{
    PangoLayout *layout = s_layout (self->cr,
                                    text,
                                    false,
                                    S_SANS,
                                    size > 0 ? size : S_BODY_SIZE + 1,
                                    bold,
                                    pdf_doc_width (self),
                                    align);
    s_block (self, layout, 3);
    g_object_unref (layout);
}

//  "<b>label</b>value", escaped.
static char *
s_field_markup (const char *label, const char *value)
{
    char *l = g_markup_escape_text (label ? label : "", -1);
    char *v = g_markup_escape_text (value ? value : "", -1);
    char *markup = g_strdup_printf ("<b>%s</b>%s", l, v);
    g_free (l);
    g_free (v);
    return markup;
}

void
pdf_doc_fields (pdf_doc_t *self,
                const char *left_label,
                const char *left,
                const char *right_label,
                const char *right)
{
    double half = pdf_doc_width (self) / 2;
    char *lm = s_field_markup (left_label, left);
    //  alone on its line, a field takes the whole width
    PangoLayout *l = s_layout (self->cr,
                               lm,
                               true,
                               S_SANS,
                               S_BODY_SIZE + 1,
                               false,
                               right_label ? half - 6 : 2 * half,
                               PDF_LEFT);
    g_free (lm);
    PangoLayout *r = NULL;
    double h = s_height (l);
    if (right_label) {
        char *rm = s_field_markup (right_label, right);
        r = s_layout (
            self->cr, rm, true, S_SANS, S_BODY_SIZE + 1, false, half, PDF_LEFT);
        g_free (rm);
        if (s_height (r) > h)
            h = s_height (r);
    }
    pdf_doc_need (self, h);
    s_show (self->cr, l, S_MARGIN_X, self->y);
    if (r)
        s_show (self->cr, r, S_MARGIN_X + half, self->y);
    self->y += h + 3;
    g_object_unref (l);
    if (r)
        g_object_unref (r);
}

/* ---- tables ------------------------------------------------------------ */

//  Draws one row of cells at self->y (the page has room): NULL cells
//  join their left neighbour.
static void
s_draw_row (pdf_doc_t *self,
            const char **cells,
            bool bold,
            double shade,
            pdf_align_t *aligns)
{
    cairo_t *cr = self->cr;
    PangoLayout *layouts[S_COLUMNS_MAX] = { 0 };
    double xs[S_COLUMNS_MAX], ws[S_COLUMNS_MAX];
    double height = 0, x = S_MARGIN_X;
    for (int i = 0; i < self->ncols; i++) {
        double w = self->columns[i].width;
        int j = i + 1;
        while (j < self->ncols && !cells[j])
            w += self->columns[j++].width;
        xs[i] = x;
        ws[i] = w;
        x += w;
        if (cells[i]) {
            layouts[i] = s_layout (cr,
                                   cells[i],
                                   false,
                                   S_SANS,
                                   S_BODY_SIZE,
                                   bold,
                                   w - 2 * S_PAD_X,
                                   aligns[i]);
            double h = s_height (layouts[i]);
            if (h > height)
                height = h;
        }
        i = j - 1;
    }
    height += 2 * S_PAD_Y;
    for (int i = 0; i < self->ncols; i++) {
        if (!layouts[i])
            continue;
        if (shade < 1) {
            cairo_set_source_rgb (cr, shade, shade, shade);
            cairo_rectangle (cr, xs[i], self->y, ws[i], height);
            cairo_fill (cr);
        }
        cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
        cairo_set_line_width (cr, 0.5);
        cairo_rectangle (cr, xs[i], self->y, ws[i], height);
        cairo_stroke (cr);
        //  centred vertically in the row
        double h = s_height (layouts[i]);
        s_show (cr, layouts[i], xs[i] + S_PAD_X, self->y + (height - h) / 2);
        g_object_unref (layouts[i]);
    }
    self->y += height;
}

//  The height a row would take.
static double
s_row_height (pdf_doc_t *self, const char **cells, bool bold)
{
    double height = 0;
    for (int i = 0; i < self->ncols; i++) {
        double w = self->columns[i].width;
        int j = i + 1;
        while (j < self->ncols && !cells[j])
            w += self->columns[j++].width;
        if (cells[i]) {
            PangoLayout *l = s_layout (self->cr,
                                       cells[i],
                                       false,
                                       S_SANS,
                                       S_BODY_SIZE,
                                       bold,
                                       w - 2 * S_PAD_X,
                                       PDF_LEFT);
            if (s_height (l) > height)
                height = s_height (l);
            g_object_unref (l);
        }
        i = j - 1;
    }
    return height + 2 * S_PAD_Y;
}

static void
s_table_header (pdf_doc_t *self)
{
    const char *cells[S_COLUMNS_MAX];
    pdf_align_t aligns[S_COLUMNS_MAX];
    for (int i = 0; i < self->ncols; i++) {
        cells[i] = self->columns[i].header;
        aligns[i] = PDF_CENTER;
    }
    s_draw_row (self, cells, true, 0.85, aligns);
}

void
pdf_doc_table (pdf_doc_t *self, const pdf_column_t *columns, int ncols)
{
    pdf_doc_table_end (self);
    if (ncols > S_COLUMNS_MAX)
        ncols = S_COLUMNS_MAX;
    for (int i = 0; i < ncols; i++) {
        self->columns[i] = columns[i];
        self->columns[i].header = strdup (columns[i].header);
    }
    //  the header and at least a row on the page the table starts on
    self->ncols = 0;
    pdf_doc_need (self, 3 * (S_BODY_SIZE * 1.5 + 2 * S_PAD_Y));
    self->ncols = ncols;
    s_table_header (self);
}

void
pdf_doc_row (pdf_doc_t *self,
             const char **cells,
             pdf_row_t style,
             const char *repeat)
{
    if (!self->ncols)
        return;
    bool bold = style == PDF_ROW_TOTAL;
    const char *row[S_COLUMNS_MAX];
    pdf_align_t aligns[S_COLUMNS_MAX];
    for (int i = 0; i < self->ncols; i++) {
        row[i] = cells[i];
        aligns[i] = self->columns[i].align;
    }
    if (self->y + s_row_height (self, row, bold) > s_bottom ()) {
        s_open_page (self); //  draws the header row again
        if (repeat && row[0] && !*row[0])
            row[0] = repeat;
    }
    s_draw_row (self, row, bold, bold ? 0.93 : 1, aligns);
}

void
pdf_doc_table_end (pdf_doc_t *self)
{
    for (int i = 0; i < self->ncols; i++)
        free ((char *)self->columns[i].header);
    if (self->ncols)
        self->y += PDF_MM (4);
    self->ncols = 0;
}

/* ---- the signature block ----------------------------------------------- */

void
pdf_doc_signatures (pdf_doc_t *self, const char *unit)
{
    double height = PDF_MM (32), w = pdf_doc_width (self) / 4;
    pdf_doc_need (self, height + PDF_MM (4));
    self->y += PDF_MM (4);
    cairo_t *cr = self->cr;
    const char *labels[] = { "编制单位", "审核人", "日期", "盖章" };
    for (int i = 0; i < 4; i++) {
        double x = S_MARGIN_X + i * w;
        cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
        cairo_set_line_width (cr, 0.6);
        cairo_rectangle (cr, x, self->y, w, height);
        cairo_stroke (cr);
        PangoLayout *l = s_layout (cr,
                                   labels[i],
                                   false,
                                   S_SANS,
                                   S_BODY_SIZE + 1,
                                   true,
                                   w - 2 * S_PAD_X,
                                   PDF_LEFT);
        s_show (cr, l, x + S_PAD_X + 1, self->y + S_PAD_Y + 1);
        g_object_unref (l);
        const char *inside = i == 0 ? unit : i == 2 ? "年　　月　　日" : NULL;
        if (inside && *inside) {
            l = s_layout (cr,
                          inside,
                          false,
                          S_SANS,
                          S_BODY_SIZE + 1,
                          false,
                          w - 4 * S_PAD_X,
                          i == 2 ? PDF_RIGHT : PDF_CENTER);
            double h = s_height (l);
            s_show (cr, l, x + 2 * S_PAD_X, self->y + height - h - PDF_MM (5));
            g_object_unref (l);
        }
        if (i == 3) { //  where the seal goes: a dashed circle
            double r = PDF_MM (11);
            double dashes[] = { 3, 2 };
            cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
            cairo_set_dash (cr, dashes, 2, 0);
            cairo_new_path (cr); //  not joined to the label's last point
            cairo_arc (cr,
                       x + w / 2,
                       self->y + height / 2 + PDF_MM (2),
                       r,
                       0,
                       2 * G_PI);
            cairo_stroke (cr);
            cairo_set_dash (cr, NULL, 0, 0);
        }
    }
    self->y += height + PDF_MM (3);
}

/* ---- drawing areas ----------------------------------------------------- */

cairo_t *
pdf_doc_area (pdf_doc_t *self, double height, double *x, double *y)
{
    pdf_doc_need (self, height);
    *x = S_MARGIN_X;
    *y = self->y;
    self->y += height;
    return self->cr;
}

void
pdf_doc_draw_text (pdf_doc_t *self,
                   double x,
                   double y,
                   const char *text,
                   double size,
                   pdf_align_t align,
                   double width)
{
    PangoLayout *l =
        s_layout (self->cr, text, false, S_SANS, size, false, width, align);
    s_show (self->cr, l, x, y);
    g_object_unref (l);
}

/* ---- output ------------------------------------------------------------ */

static void
s_foot (pdf_doc_t *self, cairo_t *cr, int page)
{
    double y = S_PAGE_H - S_MARGIN_BOTTOM + PDF_MM (6);
    cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
    cairo_set_line_width (cr, 0.4);
    cairo_move_to (cr, S_MARGIN_X, y - 3);
    cairo_line_to (cr, S_PAGE_W - S_MARGIN_X, y - 3);
    cairo_stroke (cr);
    char number[64];
    snprintf (number, sizeof number, "第 %d 页 共 %d 页", page, self->npages);
    PangoLayout *l = s_layout (
        cr, number, false, S_SANS, 8, false, pdf_doc_width (self), PDF_RIGHT);
    s_show (cr, l, S_MARGIN_X, y);
    g_object_unref (l);
    l = s_layout (cr,
                  self->footer,
                  false,
                  S_SANS,
                  8,
                  false,
                  pdf_doc_width (self) * 0.7,
                  PDF_LEFT);
    s_show (cr, l, S_MARGIN_X, y);
    g_object_unref (l);
}

int
pdf_doc_save (pdf_doc_t *self, const char *path)
{
    cairo_surface_t *pdf = cairo_pdf_surface_create (path, S_PAGE_W, S_PAGE_H);
    cairo_pdf_surface_set_metadata (
        pdf, CAIRO_PDF_METADATA_TITLE, self->title ? self->title : "");
    cairo_pdf_surface_set_metadata (pdf, CAIRO_PDF_METADATA_CREATOR, "yjcloud");
    cairo_t *cr = cairo_create (pdf);
    for (int i = 0; i < self->npages; i++) {
        cairo_set_source_surface (cr, self->pages[i], 0, 0);
        cairo_paint (cr);
        s_foot (self, cr, i + 1);
        cairo_show_page (cr);
    }
    cairo_destroy (cr);
    cairo_surface_finish (pdf);
    cairo_status_t status = cairo_surface_status (pdf);
    cairo_surface_destroy (pdf);
    if (status != CAIRO_STATUS_SUCCESS) {
        fprintf (
            stderr, "无法写入 %s：%s\n", path, cairo_status_to_string (status));
        return -1;
    }
    return 0;
}

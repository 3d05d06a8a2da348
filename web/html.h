/*
 * html: the one place where a value is escaped for HTML (text and quoted
 * attribute values alike), and the page shell built from the embedded
 * index.html template. The dashboard's data is rendered by the browser
 * with textContent, never as HTML.
 */
#ifndef DMARCD_HTML_H
#define DMARCD_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes s with & < > " ' escaped. 0, or -1 on a write error. */
int html_escape(FILE *out, const char *s);

/*
 * Writes the page shell: the template (len bytes) with its "<!--BASE-->"
 * marker replaced by <base href="prefix/"> when prefix is not empty (a
 * reverse proxy's sub-path), or by nothing. 0 or -1.
 */
int html_shell(FILE *out, const void *tmpl, size_t len, const char *prefix);

#endif

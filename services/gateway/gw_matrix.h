/* gw_matrix — the role x route access matrix as Markdown, written from ocop_api's table; the
 * table in docs/access.md is this text (a test keeps them equal). */
#ifndef GW_MATRIX_H
#define GW_MATRIX_H

/* The caller frees it; NULL when out of memory. */
char *gw_matrix_markdown(void);

#endif

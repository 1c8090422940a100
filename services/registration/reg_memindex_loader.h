/* reg_memindex_loader — builds the screening index (reg_memindex) on a thread of its own while
 * the service already answers, so that a restart costs the same whatever the store holds: from
 * the file a clean stop saved (reg_memindex_file) when it matches the store, else from every
 * product.
 *
 * Only the handlers that use the index wait for it (registering and reclassifying a product,
 * listing by commune or by entity); every other request is answered meanwhile. Nothing else
 * changes what the index is built from: products are added and reclassified only by those
 * handlers, so the store's products stay as the thread reads them until the index is handed
 * over. */
#ifndef REG_MEMINDEX_LOADER_H
#define REG_MEMINDEX_LOADER_H

#include <stddef.h>

#include "reg_memindex.h"

typedef struct ocop_store_t ocop_store_t;

typedef struct reg_memindex_loader_t reg_memindex_loader_t;

/* Checks the saved file against the store as it is (call it before the service writes
 * anything) and starts the thread. NULL with err when the thread could not be started. */
reg_memindex_loader_t *reg_memindex_loader_start(ocop_store_t *store, ocop_table_t products, char *err, size_t errlen);

/* The index, waiting for the thread when it is still building it; NULL when building it failed
 * (the thread logged why). */
reg_memindex_t *reg_memindex_loader_wait(reg_memindex_loader_t *self);

/* The index when it is built, else NULL, without waiting. */
reg_memindex_t *reg_memindex_loader_ready(reg_memindex_loader_t *self);

/* Waits for the thread and frees everything, the index included. */
void reg_memindex_loader_destroy(reg_memindex_loader_t **self_p);

#endif

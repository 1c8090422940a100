/* bench_pool — see bench_pool.h. */
#include "bench_pool.h"

#include <stdlib.h>
#include <string.h>

#include "bench_driver.h"

static void s_make_entity(void *user, uint64_t seq, Ocop__Request *req)
{
    bench_pool_t *p = user;
    bench_workload_entity(p->workload, seq, &p->entity, &p->scratch);
    req->body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req->reg_entity_register = &p->entity;
}

static void s_take_entity(void *user, uint64_t seq, const Ocop__Reply *reply)
{
    bench_pool_t *p = user;
    if (reply->status == OCOP__STATUS__STATUS_OK && reply->body_case == OCOP__REPLY__BODY_REG_ENTITY)
        p->entity_ids[seq] = strdup(reply->reg_entity->id);
}

int bench_pool_register(bench_pool_t *pool, const bench_workload_t *workload, ocop_client_t *client, size_t n,
                        size_t window, uint32_t tag)
{
    memset(pool, 0, sizeof *pool);
    pool->workload = workload;
    pool->asked = n;
    pool->entity_ids = calloc(n ? n : 1, sizeof *pool->entity_ids);
    pool->ids = calloc(n ? n : 1, sizeof *pool->ids);
    pool->communes = calloc(n ? n : 1, sizeof *pool->communes);
    if (!pool->entity_ids || !pool->ids || !pool->communes)
        return -1;
    bench_drive_result_t r;
    if (bench_drive_one(client, window, n, tag, s_make_entity, s_take_entity, pool, &r) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (pool->entity_ids[i]) {
            pool->communes[pool->n] = bench_workload_entity_commune(workload, i);
            pool->ids[pool->n++] = pool->entity_ids[i];
        }
    return pool->n ? 0 : -1;
}

void bench_pool_product(bench_pool_t *pool, uint64_t i, Ocop__Request *req)
{
    bench_workload_product(pool->workload, i, pool->ids, pool->communes, pool->n, &pool->product, &pool->scratch);
    req->body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req->reg_product_register = &pool->product;
}

void bench_pool_free(bench_pool_t *pool)
{
    for (size_t i = 0; pool->entity_ids && i < pool->asked; i++)
        free(pool->entity_ids[i]);
    free(pool->entity_ids);
    free(pool->ids);
    free(pool->communes);
    memset(pool, 0, sizeof *pool);
}

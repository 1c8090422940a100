/* ctl_output — replies as JSON, or for people as a table (pages) or key: value lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ocop_error.h"
#include "ocop_json.h"

#define S_CELL_MAX 36

/* Display width in code points (good enough for Vietnamese, which has no wide glyphs). */
static size_t s_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A scalar as text into out (cut at S_CELL_MAX code points). */
static void s_cell(const cJSON *v, char *out, size_t outlen)
{
    if (cJSON_IsString(v) || cJSON_IsRaw(v)) /* raw: exact 64-bit integers */
        snprintf(out, outlen, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(out, outlen, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(out, outlen, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsArray(v)) {
        out[0] = '\0';
        const cJSON *el;
        cJSON_ArrayForEach (el, v) {
            if (cJSON_IsString(el))
                snprintf(out + strlen(out), outlen - strlen(out), "%s%s", out[0] ? ";" : "", el->valuestring);
        }
    } else
        out[0] = '\0';
    /* Cut on a code point boundary. */
    size_t w = 0, i = 0;
    for (; out[i]; i++) {
        if (((unsigned char)out[i] & 0xC0) != 0x80 && ++w > S_CELL_MAX) {
            snprintf(out + i, outlen - i, "…");
            break;
        }
    }
}

static int s_is_column(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return 0;
    if (cJSON_IsArray(v)) {
        const cJSON *first = cJSON_GetArrayItem(v, 0);
        return !first || cJSON_IsString(first);
    }
    return 1;
}

static void s_print_table(const cJSON *rows)
{
    const cJSON *first = cJSON_GetArrayItem(rows, 0);
    if (!first) {
        printf("(none)\n");
        return;
    }
    size_t ncol = 0, widths[64];
    const char *names[64];
    const cJSON *col;
    cJSON_ArrayForEach (col, first) {
        if (ncol < 64 && s_is_column(col)) {
            names[ncol] = col->string;
            widths[ncol] = s_width(col->string);
            ncol++;
        }
    }
    char cell[512];
    const cJSON *row;
    cJSON_ArrayForEach (row, rows) {
        for (size_t c = 0; c < ncol; c++) {
            s_cell(cJSON_GetObjectItemCaseSensitive(row, names[c]), cell, sizeof cell);
            size_t w = s_width(cell);
            if (w > widths[c])
                widths[c] = w;
        }
    }
    for (size_t c = 0; c < ncol; c++)
        printf("%s%-*s", c ? "  " : "", (int)widths[c], names[c]);
    printf("\n");
    cJSON_ArrayForEach (row, rows) {
        for (size_t c = 0; c < ncol; c++) {
            s_cell(cJSON_GetObjectItemCaseSensitive(row, names[c]), cell, sizeof cell);
            /* printf pads bytes, not code points: pad by hand (not after the last column). */
            printf("%s%s%*s", c ? "  " : "", cell, c + 1 < ncol ? (int)(widths[c] - s_width(cell)) : 0, "");
        }
        printf("\n");
    }
}

static void s_print_lines(const cJSON *obj, const char *prefix)
{
    const cJSON *v;
    char cell[2048], key[256];
    cJSON_ArrayForEach (v, obj) {
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", v->string);
        if (cJSON_IsObject(v)) {
            s_print_lines(v, key);
        } else if (cJSON_IsArray(v) && cJSON_GetArrayItem(v, 0) && cJSON_IsObject(cJSON_GetArrayItem(v, 0))) {
            printf("%s:\n", key);
            s_print_table(v);
        } else {
            s_cell(v, cell, sizeof cell);
            printf("%s: %s\n", key, cell);
        }
    }
}

void ctl_print_reply(const ctl_t *ctl, const Ocop__Reply *reply)
{
    cJSON *json = ocop_json_from_message(&reply->base);
    if (!json)
        return;
    if (ctl->output_json) {
        char *text = cJSON_Print(json);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(json);
        return;
    }
    if (reply->status != OCOP__STATUS__STATUS_OK) {
        fprintf(stderr, "error: %s%s%s%s: %s\n", ocop_status_name(reply->status), *reply->field ? " (" : "",
                reply->field, *reply->field ? ")" : "", reply->message);
        cJSON_Delete(json);
        return;
    }
    /* The body is the one object member besides the envelope fields. */
    const cJSON *body = NULL, *v;
    cJSON_ArrayForEach (v, json) {
        if (cJSON_IsObject(v))
            body = v;
    }
    if (body) {
        const cJSON *rows = NULL;
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(body, "next_cursor");
        /* An empty array is a table of no rows (printed as "(none)") when it is a page's or the
         * body's only list; elsewhere its element type is unknown. */
        int empty_is_table = next || cJSON_GetArraySize(body) == 1;
        cJSON_ArrayForEach (v, body) {
            const cJSON *first = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, 0) : NULL;
            if (cJSON_IsArray(v) && (first ? cJSON_IsObject(first) : empty_is_table) && !rows)
                rows = v;
        }
        if (rows && cJSON_GetArraySize(body) <= 2) {
            s_print_table(rows);
            if (cJSON_IsString(next) && *next->valuestring)
                printf("next cursor: %s\n", next->valuestring);
        } else {
            s_print_lines(body, "");
        }
    } else {
        printf("ok\n");
    }
    cJSON_Delete(json);
}

void ctl_print_events(const ctl_t *ctl, const Ocop__EventBatch *batch)
{
    cJSON *out = cJSON_CreateObject();
    cJSON *events = cJSON_AddArrayToObject(out, "events");
    for (size_t i = 0; i < batch->n_events; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, batch->events[i].len, batch->events[i].data);
        if (!ev) {
            fprintf(stderr, "ocopctl: an event that does not decode (index %zu)\n", i);
            continue;
        }
        cJSON *json = ocop_json_from_message(&ev->base);
        /* The body's field name says what happened ("reg_product_stage_changed"). */
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(&ocop__event__descriptor, (unsigned)ev->body_case);
        cJSON_AddStringToObject(json, "type", f ? f->name : "");
        cJSON_AddItemToArray(events, json);
        ocop__event__free_unpacked(ev, NULL);
    }
    char last[32];
    snprintf(last, sizeof last, "%llu", (unsigned long long)batch->last_sequence);
    cJSON_AddRawToObject(out, "last_sequence", last);
    if (ctl->output_json) {
        char *text = cJSON_Print(out);
        printf("%s\n", text);
        free(text);
    } else {
        printf("%-10s  %-24s  %s\n", "sequence", "time (UTC)", "type");
        const cJSON *ev;
        cJSON_ArrayForEach (ev, events) {
            const cJSON *seq = cJSON_GetObjectItemCaseSensitive(ev, "sequence");
            const cJSON *ms = cJSON_GetObjectItemCaseSensitive(ev, "time_ms");
            time_t t = ms ? (time_t)(strtoll(ms->valuestring, NULL, 10) / 1000) : 0;
            struct tm tm;
            char when[32];
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            printf("%-10s  %-24s  %s\n", seq ? seq->valuestring : "", when,
                   cJSON_GetObjectItemCaseSensitive(ev, "type")->valuestring);
        }
        printf("last sequence: %s\n", last);
    }
    cJSON_Delete(out);
}

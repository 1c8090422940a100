/* reg_json — see reg_json.h. */
#include "reg_json.h"

#include <string.h>

int reg_json_string(const cJSON *obj, const char *name, int required, char *out, size_t outlen)
{
    out[0] = '\0';
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? -1 : 0;
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= outlen)
        return -1;
    memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
    return 0;
}

/* ctl_keygen — `ocopctl keygen`: the key files a deployment needs, made before its services
 * start (by hand, by deploy/demo.sh, by the package's postinst). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ocop_keys.h"

static int s_usage(void)
{
    fprintf(stderr, "usage: ocopctl keygen --dir DIR [--keep] [--sign] NAME...\n"
                    "  NAME.key (0600) and NAME.pub: a CURVE key pair for each NAME\n"
                    "  --sign  the NAMEs after it get an Ed25519 signing pair instead (NAME.sign 0600,\n"
                    "          NAME.sign.pub), as the audit service signs its tree heads with\n"
                    "  --keep  leave a NAME whose key file exists as it is (without it, it is replaced)\n");
    return CTL_EXIT_USAGE;
}

/* 1 when DIR/NAME+EXT exists. */
static int s_exists(const char *dir, const char *name, const char *ext)
{
    char path[4096];
    return snprintf(path, sizeof path, "%s/%s%s", dir, name, ext) < (int)sizeof path && access(path, F_OK) == 0;
}

int ctl_cmd_keygen(int argc, char **argv)
{
    const char *dir = NULL;
    int made = 0, keep = 0, sign = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--keep") == 0) {
            keep = 1;
            continue;
        }
        if (strcmp(argv[i], "--sign") == 0) {
            sign = 1;
            continue;
        }
        if (!dir || argv[i][0] == '-')
            return s_usage();
        const char *ext = sign ? ".sign" : ".key";
        made++;
        if (keep && s_exists(dir, argv[i], ext)) {
            printf("%s/%s%s kept\n", dir, argv[i], ext);
            continue;
        }
        char err[512];
        ocop_keypair_t pair;
        if (sign ? ocop_keys_sign_create(dir, argv[i], err, sizeof err) != 0
                 : ocop_keys_generate(&pair) != 0 || ocop_keys_save(dir, argv[i], &pair) != 0) {
            if (!sign)
                snprintf(err, sizeof err, "cannot write %s/%s.key", dir, argv[i]);
            fprintf(stderr, "ocopctl keygen: %s\n", err);
            return CTL_EXIT_FAILED;
        }
        if (sign)
            printf("%s/%s.sign\n", dir, argv[i]);
        else
            printf("%s/%s.key %s\n", dir, argv[i], pair.public_z85);
    }
    return made ? CTL_EXIT_OK : s_usage();
}

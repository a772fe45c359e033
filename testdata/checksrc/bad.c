/* A file scripts/checksrc.sh must reject (tests/CMakeLists.txt): each
 * line below calls one banned function; comments such as strcpy(a, b)
 * and names such as snprintf or s->rand() are not calls it reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gen {
    int (*rand)(void);
};

int bad(char *dst, const char *src, struct gen *g)
{
    char n[8];
    snprintf(n, sizeof(n), "%d", g->rand());
    strcpy(dst, src);
    sprintf(dst, "%s", src);
    return atoi(n) + rand();
}

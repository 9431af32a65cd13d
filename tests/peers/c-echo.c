/*
 * c-echo: the FastCGI responder the FcgiActors interop tests talk to, written on Debian's
 * libfcgi (fcgiapp.h), so the tests meet the real C library the way web servers do.
 *
 *   c-echo               serve on the listen socket inherited as fd 0 (fcgi bridge -start,
 *                        cgi-fcgi -start, spawn-fcgi)
 *   c-echo ADDR [N]      FCGX_OpenSocket(ADDR, backlog N): "127.0.0.1:PORT" or a socket path
 *
 * Answer (the peers' echo format):
 *   Content-Type: text/plain\r\n\r\n
 *   query=<QUERY_STRING> method=<REQUEST_METHOD> count=<n> pid=<pid> content_length=<CONTENT_LENGTH>\n
 *   then every STDIN byte, echoed as it is read, until the end of STDIN.
 *
 * QUERY_STRING switches, for tests (name=value, joined with &):
 *   sleep=MS    wait MS milliseconds before answering
 *   size=N      answer N bytes of 'x' instead of the echo (STDIN is still read to the end)
 *   status=N    END_REQUEST appStatus N
 *   stderr=N    also write N bytes of 'e' followed by "\n" on FCGI_STDERR
 *   fixed=1     print count=0 pid=0, so answers from different runs compare byte for byte
 *   env=NAME    append "NAME=<value>\n" (or "NAME unset\n") after the echo
 */
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The value of key in a query string, as a number; fallback when absent. */
static long query_number(const char *query, const char *key, long fallback)
{
    size_t length = strlen(key);
    for (const char *p = query; p != NULL && *p != '\0';) {
        if (strncmp(p, key, length) == 0 && p[length] == '=') {
            return strtol(p + length + 1, NULL, 10);
        }
        p = strchr(p, '&');
        if (p != NULL) {
            p++;
        }
    }
    return fallback;
}

/* Copies the value of key (up to '&') into out; 0 when absent. */
static int query_text(const char *query, const char *key, char *out, size_t size)
{
    size_t length = strlen(key);
    for (const char *p = query; p != NULL && *p != '\0';) {
        if (strncmp(p, key, length) == 0 && p[length] == '=') {
            const char *value = p + length + 1;
            size_t n = strcspn(value, "&");
            if (n >= size) {
                n = size - 1;
            }
            memcpy(out, value, n);
            out[n] = '\0';
            return 1;
        }
        p = strchr(p, '&');
        if (p != NULL) {
            p++;
        }
    }
    return 0;
}

static void put_repeated(FCGX_Stream *stream, char c, long count)
{
    char block[16384];
    memset(block, c, sizeof block);
    while (count > 0) {
        int n = count > (long)sizeof block ? (int)sizeof block : (int)count;
        if (FCGX_PutStr(block, n, stream) < 0) {
            return;
        }
        count -= n;
    }
}

int main(int argc, char **argv)
{
    static char buffer[65536];
    FCGX_Request request;
    unsigned long served = 0;
    int listener = 0;

    if (FCGX_Init() != 0) {
        fputs("c-echo: FCGX_Init failed\n", stderr);
        return 1;
    }
    if (argc > 1) {
        listener = FCGX_OpenSocket(argv[1], argc > 2 ? atoi(argv[2]) : 128);
        if (listener < 0) {
            fprintf(stderr, "c-echo: cannot listen on %s\n", argv[1]);
            return 1;
        }
    }
    if (FCGX_InitRequest(&request, listener, 0) != 0) {
        fputs("c-echo: FCGX_InitRequest failed\n", stderr);
        return 1;
    }

    while (FCGX_Accept_r(&request) >= 0) {
        const char *query = FCGX_GetParam("QUERY_STRING", request.envp);
        const char *method = FCGX_GetParam("REQUEST_METHOD", request.envp);
        const char *length = FCGX_GetParam("CONTENT_LENGTH", request.envp);
        char name[256];
        long size, errors;
        int n, fixed;

        served++;
        query = query ? query : "";
        fixed = query_number(query, "fixed", 0) == 1;
        size = query_number(query, "size", -1);
        errors = query_number(query, "stderr", 0);
        long pause = query_number(query, "sleep", 0);
        if (pause > 0) {
            struct timespec wait = { pause / 1000, (pause % 1000) * 1000000L };
            nanosleep(&wait, NULL);
        }

        FCGX_PutS("Content-Type: text/plain\r\n\r\n", request.out);
        FCGX_FPrintF(request.out, "query=%s method=%s count=%lu pid=%d content_length=%s\n",
                     query, method ? method : "", fixed ? 0UL : served, fixed ? 0 : (int)getpid(),
                     length ? length : "");
        while ((n = FCGX_GetStr(buffer, sizeof buffer, request.in)) > 0) {
            if (size < 0 && FCGX_PutStr(buffer, n, request.out) < 0) {
                break;
            }
        }
        if (size > 0) {
            put_repeated(request.out, 'x', size);
        }
        if (query_text(query, "env", name, sizeof name)) {
            const char *value = FCGX_GetParam(name, request.envp);
            if (value) {
                FCGX_FPrintF(request.out, "%s=%s\n", name, value);
            } else {
                FCGX_FPrintF(request.out, "%s unset\n", name);
            }
        }
        if (errors > 0) {
            put_repeated(request.err, 'e', errors);
            FCGX_PutS("\n", request.err);
        }
        FCGX_SetExitStatus((int)query_number(query, "status", 0), request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}

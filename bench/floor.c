/*
 * floor.c - the cheapest possible FastCGI authorizer, the benchmark's
 * baseline: every request gets "Status: 200" and one Variable- line.
 */
#include <fcgiapp.h>

int main(void)
{
    FCGX_Request req;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutS("Status: 200 OK\r\nVariable-REMOTE_USER: floor\r\n\r\n", req.out);
        FCGX_Finish_r(&req);
    }
    return 0;
}

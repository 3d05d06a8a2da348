/* tu_net: a free loopback port and a monotonic clock (tu_net.h). */
#include "tu_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int
tu_free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof a;
	int u = socket(AF_INET, SOCK_DGRAM, 0), t = -1, port = -1;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u == -1 || bind(u, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(u, (struct sockaddr *)&a, &len) != 0)
		goto out;
	if ((t = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(t, (struct sockaddr *)&a, sizeof a) != 0)
		goto out;
	port = ntohs(a.sin_port);
out:
	if (u != -1)
		close(u);
	if (t != -1)
		close(t);
	return port;
}

int64_t
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * tu_net: what the tests and the benchmarks that start servers share: a
 * free loopback port and a monotonic clock in milliseconds. Knows libc
 * only (no Criterion), so that bench programs link it too.
 */
#ifndef DMARCD_TU_NET_H
#define DMARCD_TU_NET_H

#include <stdint.h>

/*
 * A port of 127.0.0.1 free for both TCP and UDP at the time of the call,
 * or -1 when none could be bound. Another program may take it before the
 * caller's server does: servers that can, retry on another.
 */
int tu_free_port(void);

/* CLOCK_MONOTONIC in milliseconds: deadlines for waits on events. */
int64_t tu_now_ms(void);

#endif

/*
 * advice_json: the advisor's answer (advice/advice.h) as one JSON object,
 * the form of /api/v1/advice and of `dmarcd advise --json`. README.md
 * documents its fields.
 */
#ifndef DMARCD_WEB_ADVICE_JSON_H
#define DMARCD_WEB_ADVICE_JSON_H

#include <stdio.h>

#include "advise.h"

/* Writes a as one JSON object. 0, or -1 on a write error. */
int advice_json_write(FILE *out, const struct advice *a);

#endif

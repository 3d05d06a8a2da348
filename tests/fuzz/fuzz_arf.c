/* libFuzzer target: one mail through the failure-report parser. */
#include <stddef.h>
#include <stdint.h>

#include "arf.h"
#include "mime.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mime_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct failure_report *f = NULL;
	enum refusal why = REFUSE_NONE;
	struct errbuf e;

	if (arf_parse(data, size, &f, &why, &e) == -1)
		return 0; /* out of memory */
	if ((f == NULL) == (why == REFUSE_NONE))
		__builtin_trap();
	failure_free(f);
	return 0;
}

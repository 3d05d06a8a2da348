#include "refusal.h"

int
refusal_set(enum refusal *why, struct errbuf *e, enum refusal code, const char *fmt, ...)
{
	va_list ap;

	*why = code;
	va_start(ap, fmt);
	errbuf_vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
refusal_code(enum refusal r)
{
	switch (r) {
	case REFUSE_NONE:
		return "";
	case REFUSE_SIZE_LIMIT:
		return "E_SIZE_LIMIT";
	case REFUSE_UNSUPPORTED_CONTAINER:
		return "E_UNSUPPORTED_CONTAINER";
	case REFUSE_NO_REPORT:
		return "E_NO_REPORT";
	case REFUSE_NOT_DMARC:
		return "E_NOT_DMARC";
	case REFUSE_DECOMPRESS:
		return "E_DECOMPRESS";
	case REFUSE_ZIP_UNSUPPORTED:
		return "E_ZIP_UNSUPPORTED";
	case REFUSE_XML_DOCTYPE:
		return "E_XML_DOCTYPE";
	case REFUSE_XML_MALFORMED:
		return "E_XML_MALFORMED";
	case REFUSE_XML_ENCODING:
		return "E_XML_ENCODING";
	case REFUSE_XML_LIMIT:
		return "E_XML_LIMIT";
	case REFUSE_MISSING_REPORTER:
		return "E_MISSING_REPORTER";
	case REFUSE_MISSING_POLICY_DOMAIN:
		return "E_MISSING_POLICY_DOMAIN";
	case REFUSE_BAD_TIMESTAMP:
		return "E_BAD_TIMESTAMP";
	case REFUSE_BAD_FAILURE_REPORT:
		return "E_BAD_FAILURE_REPORT";
	case REFUSE_IMPLAUSIBLE_PERIOD:
		return "E_IMPLAUSIBLE_PERIOD";
	case REFUSE_IMPLAUSIBLE_COUNT:
		return "E_IMPLAUSIBLE_COUNT";
	}
	return "E_UNKNOWN";
}

/*
 * catalogue: known sending services and matching a source to one
 * (catalogue.h).
 */
#include "catalogue.h"

const char *const catalogue_categories[] = {
	"mailbox",       /* a mailbox provider: Google Workspace, Microsoft 365 */
	"marketing",     /* newsletters and campaigns */
	"transactional", /* mail sent by an application through an API or SMTP relay */
	"crm",           /* sales and customer-relationship tools */
	"helpdesk",      /* support desks and customer messaging */
	"security",      /* security gateways that relay a domain's outbound mail */
	"forwarder",     /* forwarders and mailing lists: they resend others' mail */
	"hosting",       /* web and mail hosting, ISPs' relays */
	"saas",          /* other applications that send mail in the customer's name */
	NULL,
};

const char *
evidence_name(enum evidence ev)
{
	switch (ev) {
	case EVIDENCE_ASN:
		return "asn";
	case EVIDENCE_SPF:
		return "spf";
	case EVIDENCE_PTR:
		return "ptr";
	case EVIDENCE_DKIM:
		return "dkim";
	case EVIDENCE_NONE:
		break;
	}
	return "";
}

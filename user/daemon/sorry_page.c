// SPDX-License-Identifier: MIT
#include "daemon/sorry_page.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Service names hold only letters, digits and ".-_:@+" (the config
 * validator's rule), so they go into the HTML as they are. */
static int page_body(char *buf, size_t len, const char *service)
{
	return snprintf(buf, len, "<h1>Service Unavailable</h1>No member of %s is available.\n",
			service);
}

int sorry_page_build(const char *service, uint32_t secret, struct xlb_sorry_page *page)
{
	char body[XLB_SORRY_LEN + 1], head[128];
	int blen = page_body(body, sizeof(body), service), hlen = 0;
	uint32_t sum = 0;

	if (blen < 0 || blen >= XLB_SORRY_LEN)
		return -ENAMETOOLONG;
	/* The body is padded with spaces to fill the segment, and its length
	 * (what Content-Length says) depends on the header's: a few tries settle
	 * the number of digits. */
	for (int i = 0; i < 3; i++)
		hlen = snprintf(head, sizeof(head),
				"HTTP/1.0 503 Service Unavailable\r\n"
				"Content-Type: text/html\r\n"
				"Content-Length: %d\r\n"
				"\r\n",
				XLB_SORRY_LEN - (hlen ? hlen : 100));
	if (hlen + blen > XLB_SORRY_LEN)
		return -ENAMETOOLONG;
	memset(page, 0, sizeof(*page));
	memset(page->text, ' ', sizeof(page->text));
	memcpy(page->text, head, (size_t)hlen);
	memcpy(page->text + hlen, body, (size_t)blen);
	page->text[XLB_SORRY_LEN - 1] = '\n';
	/* The sum as the data plane adds packet words: 16-bit loads in host
	 * order, the same on both sides of the ABI. */
	for (size_t i = 0; i < XLB_SORRY_LEN; i += 2) {
		uint16_t w;

		memcpy(&w, page->text + i, 2);
		sum += w;
	}
	page->csum = sum;
	page->secret = secret;
	return 0;
}

/*
 * Benchmark peer: the room broadcast hub of tests/bench/peers/ws-server.mjs written in C on
 * libwebsockets, the way lws's own minimal examples are written (minimal-ws-server-pmd /
 * -ring / minimal-ws-broker): one lws_context, one protocol, a per-session queue of pending
 * messages that point at shared, refcounted message buffers allocated with LWS_PRE headroom,
 * lws_callback_on_writable() on every member, and one lws_write() per message in
 * LWS_CALLBACK_SERVER_WRITEABLE, as many as the socket takes (until lws_send_pipe_choked()).
 *
 *   lws-hub --port P [--host 127.0.0.1]     prints "listening on P" once it accepts
 *
 * Protocol (WebSocket text frames, one JSON object each; no compression):
 *   client -> server  {"type":"join","room":"r1"}
 *                     {"type":"post","room":"r1","text":"..."}
 *                     {"type":"ping","id":N}
 *   server -> every member of the room, the sender included
 *                     {"type":"message","room":"r1","text":"..."}
 *   server -> the sender only
 *                     {"type":"pong","id":N}          (id echoed as given)
 * The room and text strings are copied into the outgoing message as they came (still JSON
 * escaped), so the output is the same JSON the ws peer's JSON.stringify produces for them.
 *
 * Any URL path is accepted. A client that names no subprotocol is bound to the one protocol
 * (lws binds such connections to protocols[0]); lws refuses a subprotocol it does not know.
 * The default lws event loop (poll) and one service thread, as in the examples.
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One outgoing message, shared by every session it is queued on. */
struct msg {
	unsigned int refs;
	size_t len;
	unsigned char buf[]; /* LWS_PRE bytes of headroom, then the payload */
};

struct pss;

struct room {
	struct room *next;
	char *name; /* as it came on the wire (JSON escaped) */
	size_t name_len;
	struct pss **members;
	size_t n, cap;
};

/* One per WebSocket session. */
struct pss {
	struct lws *wsi;
	struct msg **q; /* ring of pending messages */
	size_t q_head, q_len, q_cap;
	struct room **rooms; /* rooms joined */
	size_t n_rooms, cap_rooms;
	char *rx; /* a message that came in several pieces */
	size_t rx_len, rx_cap;
};

#define LIT_LEN(s) (sizeof(s) - 1)
#define MSG_HEAD "{\"type\":\"message\",\"room\":\""
#define MSG_MID "\",\"text\":\""
#define PONG_HEAD "{\"type\":\"pong\""
#define PONG_ID ",\"id\":"

static struct room *rooms;
static struct lws_context *context;
static volatile sig_atomic_t interrupted;

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fprintf(stderr, "lws-hub: out of memory\n");
		exit(1);
	}
	return q;
}

static struct msg *
msg_new(size_t len)
{
	struct msg *m = xrealloc(NULL, sizeof(*m) + LWS_PRE + len);

	m->refs = 0;
	m->len = len;
	return m;
}

static void
msg_unref(struct msg *m)
{
	if (--m->refs == 0)
		free(m);
}

static void
enqueue(struct pss *pss, struct msg *m)
{
	if (pss->q_len == pss->q_cap) {
		size_t cap = pss->q_cap ? pss->q_cap * 2 : 8, i;
		struct msg **q = xrealloc(NULL, cap * sizeof(*q));

		for (i = 0; i < pss->q_len; i++)
			q[i] = pss->q[(pss->q_head + i) % pss->q_cap];
		free(pss->q);
		pss->q = q;
		pss->q_head = 0;
		pss->q_cap = cap;
	}
	pss->q[(pss->q_head + pss->q_len) % pss->q_cap] = m;
	pss->q_len++;
	m->refs++;
	lws_callback_on_writable(pss->wsi);
}

static struct room *
room_find(const char *name, size_t len)
{
	struct room *r;

	for (r = rooms; r; r = r->next)
		if (r->name_len == len && !memcmp(r->name, name, len))
			return r;
	return NULL;
}

static void
room_leave(struct room *r, struct pss *pss)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->members[i] == pss) {
			r->members[i] = r->members[--r->n];
			return;
		}
}

/*
 * A flat JSON object's members: for each key of interest, the raw value (a string's contents
 * without the quotes, still escaped; any other value's text). Nested values are skipped.
 */
struct field {
	const char *key;
	const char *val;
	size_t len;
	int is_string;
};

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at an opening quote; returns the closing quote or NULL. */
static const char *
string_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p;
	}
	return NULL;
}

static int
parse_flat(const char *p, size_t len, struct field *f, int nf)
{
	const char *end = p + len, *k, *ke, *v, *ve;
	int i, depth;

	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p++;
	for (;;) {
		p = skip_ws(p, end);
		if (p < end && *p == '}')
			return 0;
		if (p >= end || *p != '"' || !(ke = string_end(p, end)))
			return -1;
		k = p + 1;
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return -1;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return -1;
		v = p;
		if (*p == '"') {
			if (!(ve = string_end(p, end)))
				return -1;
			p = ve + 1;
		} else {
			depth = 0;
			while (p < end) {
				if (*p == '"') {
					if (!(p = string_end(p, end)))
						return -1;
				} else if (*p == '{' || *p == '[')
					depth++;
				else if (*p == '}' || *p == ']') {
					if (!depth)
						break;
					depth--;
				} else if (*p == ',' && !depth)
					break;
				p++;
			}
			ve = p;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' ||
					  ve[-1] == '\n' || ve[-1] == '\r'))
				ve--;
		}
		for (i = 0; i < nf; i++)
			if (strlen(f[i].key) == (size_t)(ke - k) &&
			    !memcmp(f[i].key, k, (size_t)(ke - k))) {
				f[i].is_string = *v == '"';
				f[i].val = f[i].is_string ? v + 1 : v;
				f[i].len = f[i].is_string ? (size_t)(ve - v - 1) :
							    (size_t)(ve - v);
			}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}')
			return 0;
		return -1;
	}
}

static int
is(const struct field *f, const char *s)
{
	return f->val && f->is_string && f->len == strlen(s) && !memcmp(f->val, s, f->len);
}

static void
on_message(struct pss *pss, const char *in, size_t len)
{
	struct field f[4] = { { .key = "type" }, { .key = "room" }, { .key = "text" }, { .key = "id" } };
	struct room *r;
	struct msg *m;
	size_t i, n;
	char *o;

	if (parse_flat(in, len, f, 4))
		return;

	if (is(&f[0], "ping")) {
		/* {"type":"pong","id":<as given>} to the sender only */
		n = LIT_LEN(PONG_HEAD) +
		    (f[3].val ? LIT_LEN(PONG_ID) + f[3].len + 2u * (size_t)f[3].is_string : 0) + 1;
		m = msg_new(n);
		o = (char *)m->buf + LWS_PRE;
		memcpy(o, PONG_HEAD, LIT_LEN(PONG_HEAD));
		o += LIT_LEN(PONG_HEAD);
		if (f[3].val) {
			memcpy(o, PONG_ID, LIT_LEN(PONG_ID));
			o += LIT_LEN(PONG_ID);
			if (f[3].is_string)
				*o++ = '"';
			memcpy(o, f[3].val, f[3].len);
			o += f[3].len;
			if (f[3].is_string)
				*o++ = '"';
		}
		*o = '}';
		enqueue(pss, m);
		return;
	}

	if (!f[1].val || !f[1].is_string)
		return;

	if (is(&f[0], "join")) {
		r = room_find(f[1].val, f[1].len);
		if (!r) {
			r = xrealloc(NULL, sizeof(*r));
			memset(r, 0, sizeof(*r));
			r->name = xrealloc(NULL, f[1].len + 1);
			memcpy(r->name, f[1].val, f[1].len);
			r->name[f[1].len] = '\0';
			r->name_len = f[1].len;
			r->next = rooms;
			rooms = r;
		}
		for (i = 0; i < pss->n_rooms; i++)
			if (pss->rooms[i] == r)
				return;
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->members = xrealloc(r->members, r->cap * sizeof(*r->members));
		}
		r->members[r->n++] = pss;
		if (pss->n_rooms == pss->cap_rooms) {
			pss->cap_rooms = pss->cap_rooms ? pss->cap_rooms * 2 : 2;
			pss->rooms = xrealloc(pss->rooms, pss->cap_rooms * sizeof(*pss->rooms));
		}
		pss->rooms[pss->n_rooms++] = r;
		return;
	}

	if (is(&f[0], "post") && f[2].val && f[2].is_string) {
		r = room_find(f[1].val, f[1].len);
		if (!r || !r->n)
			return;
		/* built once, queued on every member */
		n = LIT_LEN(MSG_HEAD) + f[1].len + LIT_LEN(MSG_MID) + f[2].len + 2;
		m = msg_new(n);
		o = (char *)m->buf + LWS_PRE;
		memcpy(o, MSG_HEAD, LIT_LEN(MSG_HEAD));
		o += LIT_LEN(MSG_HEAD);
		memcpy(o, f[1].val, f[1].len);
		o += f[1].len;
		memcpy(o, MSG_MID, LIT_LEN(MSG_MID));
		o += LIT_LEN(MSG_MID);
		memcpy(o, f[2].val, f[2].len);
		o += f[2].len;
		memcpy(o, "\"}", 2);
		m->refs++; /* held while queueing */
		for (i = 0; i < r->n; i++)
			enqueue(r->members[i], m);
		msg_unref(m);
	}
}

static int
callback_hub(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
	     size_t len)
{
	struct pss *pss = (struct pss *)user;
	struct msg *m;
	size_t i;
	int n;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(pss, 0, sizeof(*pss));
		pss->wsi = wsi;
		break;

	case LWS_CALLBACK_CLOSED:
		for (i = 0; i < pss->n_rooms; i++)
			room_leave(pss->rooms[i], pss);
		free(pss->rooms);
		while (pss->q_len) {
			msg_unref(pss->q[pss->q_head]);
			pss->q_head = (pss->q_head + 1) % pss->q_cap;
			pss->q_len--;
		}
		free(pss->q);
		free(pss->rx);
		memset(pss, 0, sizeof(*pss));
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE:
		while (pss->q_len) {
			m = pss->q[pss->q_head];
			/* notice we allowed for LWS_PRE in the payload already */
			n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
			if (n < (int)m->len) {
				lwsl_err("lws-hub: error %d writing to ws socket\n", n);
				return -1;
			}
			pss->q_head = (pss->q_head + 1) % pss->q_cap;
			pss->q_len--;
			msg_unref(m);
			if (pss->q_len && lws_send_pipe_choked(wsi)) {
				lws_callback_on_writable(wsi);
				break;
			}
		}
		break;

	case LWS_CALLBACK_RECEIVE:
		if (lws_frame_is_binary(wsi))
			break;
		if (!pss->rx_len && lws_is_final_fragment(wsi) &&
		    !lws_remaining_packet_payload(wsi)) {
			on_message(pss, in, len); /* the usual case: all of it at once */
			break;
		}
		if (pss->rx_len + len > 64 * 1024)
			return -1; /* as the ws peer's maxPayload */
		if (pss->rx_len + len > pss->rx_cap) {
			pss->rx_cap = pss->rx_len + len + 256;
			pss->rx = xrealloc(pss->rx, pss->rx_cap);
		}
		memcpy(pss->rx + pss->rx_len, in, len);
		pss->rx_len += len;
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			on_message(pss, pss->rx, pss->rx_len);
			pss->rx_len = 0;
		}
		break;

	default:
		/* plain HTTP reaches protocols[0] too: lws's stock handling */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}

	return 0;
}

static struct lws_protocols protocols[] = {
	/* name, callback, per-session data size, rx buffer size (a post fits whole) */
	{ "lws-hub", callback_hub, sizeof(struct pss), 512, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 } /* terminator */
};

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (context)
		lws_cancel_service(context);
}

int
main(int argc, const char **argv)
{
	struct lws_context_creation_info info;
	const char *p, *host = "127.0.0.1";
	struct sigaction sa;
	int port = 0, n = 0;

	if ((p = lws_cmdline_option(argc, argv, "--port")))
		port = atoi(p);
	if ((p = lws_cmdline_option(argc, argv, "--host")))
		host = p;
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "usage: lws-hub --port P [--host 127.0.0.1]\n");
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);

	memset(&info, 0, sizeof info); /* otherwise uninitialized garbage */
	info.port = port;
	info.iface = host;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	/* no info.extensions: no permessage-deflate */

	context = lws_create_context(&info);
	if (!context) {
		fprintf(stderr, "lws-hub: lws init failed\n");
		return 1;
	}
	printf("listening on %d\n", port);
	fflush(stdout);

	while (n >= 0 && !interrupted)
		n = lws_service(context, 0);

	lws_context_destroy(context);

	return 0;
}

// The machine's floor for the fan-out benchmarks (issue 5): a minimal single-threaded epoll
// WebSocket server speaking the peers' protocol ({"type":"join","room"} and
// {"type":"post","room","text"} in; {"type":"message","room","text"} out to every member of the
// room, the sender included; {"type":"ping","id":N} in, {"type":"pong","id":N} out to the sender
// only, the id echoed as given). On a post it builds the outgoing frame once and writes it to each
// member with one write() per delivery; it does nothing else (no JSON library, no batching).
//
// Usage: raw_floor --port P   (prints "listening on P" once it accepts connections)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct client {
  int fd = -1;
  bool upgraded = false;
  std::string in;
  std::string out;  // what a write() could not take yet (sent on EPOLLOUT)
  std::vector<std::string> rooms;
  bool dead = false;
};

std::unordered_map<int, client> clients;
std::unordered_map<std::string, std::vector<int>> rooms;
int ep = -1;
std::vector<int> to_drop;

void drop(int fd) {
  auto it = clients.find(fd);
  if (it == clients.end()) return;
  for (auto& r : it->second.rooms) {
    auto& m = rooms[r];
    m.erase(std::remove(m.begin(), m.end(), fd), m.end());
  }
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  clients.erase(it);
}

void want_out(client& c, bool on) {
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.fd = c.fd;
  epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
}

// One write() per call; what does not fit waits in c.out for EPOLLOUT. False: connection gone.
bool send_bytes(client& c, std::string_view data) {
  if (!c.out.empty()) {
    c.out.append(data);
    return true;
  }
  ssize_t n = ::write(c.fd, data.data(), data.size());
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    n = 0;
  }
  if (static_cast<std::size_t>(n) < data.size()) {
    c.out.assign(data.substr(static_cast<std::size_t>(n)));
    want_out(c, true);
  }
  return true;
}

std::string frame(unsigned char opcode, std::string_view payload) {
  std::string f;
  f.reserve(payload.size() + 10);
  f += static_cast<char>(0x80 | opcode);
  auto n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n < 65536) {
    f += static_cast<char>(126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xff);
  } else {
    f += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  f.append(payload);
  return f;
}

// The raw (still escaped) string value of "key" in a flat JSON object; npos-empty when absent.
bool json_string(std::string_view msg, std::string_view key, std::string_view& value) {
  std::string pat = "\"" + std::string(key) + "\"";
  auto pos = msg.find(pat);
  if (pos == std::string_view::npos) return false;
  pos = msg.find(':', pos + pat.size());
  if (pos == std::string_view::npos) return false;
  pos = msg.find('"', pos + 1);
  if (pos == std::string_view::npos) return false;
  auto start = pos + 1;
  for (auto i = start; i < msg.size(); ++i) {
    if (msg[i] == '\\') {
      ++i;
      continue;
    }
    if (msg[i] == '"') {
      value = msg.substr(start, i - start);
      return true;
    }
  }
  return false;
}

// The raw text of the value of "key": a string's with its quotes (still escaped), any other
// value's up to the next ',' or '}' (flat objects only).
bool json_raw(std::string_view msg, std::string_view key, std::string_view& value) {
  std::string pat = "\"" + std::string(key) + "\"";
  auto pos = msg.find(pat);
  if (pos == std::string_view::npos) return false;
  pos = msg.find(':', pos + pat.size());
  if (pos == std::string_view::npos) return false;
  auto start = msg.find_first_not_of(" \t\r\n", pos + 1);
  if (start == std::string_view::npos) return false;
  std::size_t end = start;
  if (msg[start] == '"') {
    for (end = start + 1; end < msg.size() && msg[end] != '"'; ++end)
      if (msg[end] == '\\') ++end;
    if (end >= msg.size()) return false;
    ++end;
  } else {
    end = msg.find_first_of(",}", start);
    if (end == std::string_view::npos) return false;
    while (end > start && std::isspace(static_cast<unsigned char>(msg[end - 1]))) --end;
  }
  value = msg.substr(start, end - start);
  return true;
}

void on_text(client& c, std::string_view msg) {
  std::string_view type, room;
  if (!json_string(msg, "type", type)) return;
  if (type == "ping") {  // to the sender only, the id as given (string or not)
    std::string payload = "{\"type\":\"pong\"";
    std::string_view id;
    if (json_raw(msg, "id", id)) payload.append(",\"id\":").append(id);
    payload += '}';
    if (!send_bytes(c, frame(0x1, payload))) {
      c.dead = true;
      to_drop.push_back(c.fd);
    }
    return;
  }
  if (!json_string(msg, "room", room)) return;
  if (type == "join") {
    std::string r(room);
    if (std::find(c.rooms.begin(), c.rooms.end(), r) != c.rooms.end()) return;
    c.rooms.push_back(r);
    rooms[r].push_back(c.fd);
  } else if (type == "post") {
    std::string_view text;
    if (!json_string(msg, "text", text)) return;
    auto it = rooms.find(std::string(room));
    if (it == rooms.end()) return;
    // Built once, written to every member.
    std::string payload = "{\"type\":\"message\",\"room\":\"";
    payload.append(room);
    payload += "\",\"text\":\"";
    payload.append(text);
    payload += "\"}";
    const std::string f = frame(0x1, payload);
    for (int fd : it->second) {
      auto ci = clients.find(fd);
      if (ci != clients.end() && !ci->second.dead && !send_bytes(ci->second, f)) {
        ci->second.dead = true;  // dropped after this event, not while `c` is in use
        to_drop.push_back(fd);
      }
    }
  }
}

std::string accept_key(std::string_view key) {
  std::string s(key);
  s += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

// False: close the connection.
bool on_handshake(client& c) {
  auto end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) return c.in.size() < 16384;
  std::string head = c.in.substr(0, end + 2);
  c.in.erase(0, end + 4);
  std::string lower = head;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto pos = lower.find("\r\nsec-websocket-key:");
  if (pos == std::string::npos) return false;
  pos += 20;
  auto eol = head.find("\r\n", pos);
  std::string key = head.substr(pos, eol - pos);
  key.erase(0, key.find_first_not_of(" \t"));
  key.erase(key.find_last_not_of(" \t") + 1);
  std::string resp =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " + accept_key(key) + "\r\n\r\n";
  c.upgraded = true;
  return send_bytes(c, resp);
}

// Parses complete frames from c.in. False: close the connection.
bool on_frames(client& c) {
  std::size_t off = 0;
  bool ok = true;
  while (ok) {
    auto avail = c.in.size() - off;
    if (avail < 2) break;
    auto* p = reinterpret_cast<const unsigned char*>(c.in.data() + off);
    unsigned char opcode = p[0] & 0x0f;
    bool masked = p[1] & 0x80;
    std::uint64_t len = p[1] & 0x7f;
    std::size_t hdr = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (std::uint64_t{p[2]} << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    if (len > (1u << 24)) return false;
    std::size_t mask_at = hdr;
    if (masked) hdr += 4;
    if (avail < hdr + len) break;
    std::string payload(c.in.data() + off + hdr, static_cast<std::size_t>(len));
    if (masked)
      for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ p[mask_at + i % 4]);
    off += hdr + static_cast<std::size_t>(len);
    switch (opcode) {
      case 0x1:
      case 0x0:
        on_text(c, payload);  // fragments are treated as whole messages: clients do not split
        break;
      case 0x8:
        send_bytes(c, frame(0x8, payload.substr(0, std::min<std::size_t>(payload.size(), 2))));
        ok = false;
        break;
      case 0x9:
        ok = send_bytes(c, frame(0xA, payload));
        break;
      default:
        break;
    }
  }
  c.in.erase(0, off);
  return ok && !c.dead;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--port") port = std::atoi(argv[i + 1]);
  if (port <= 0 || port > 65535) {
    std::fprintf(stderr, "usage: raw_floor --port P\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only; 127.0.0.x sources reach it
  if (bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(ls, 4096) != 0) {
    std::perror("raw_floor: bind/listen");
    return 1;
  }
  ep = epoll_create1(0);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.fd = ls;
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev);
  std::printf("listening on %d\n", port);
  std::fflush(stdout);

  std::vector<epoll_event> events(1024);
  char buf[65536];
  for (;;) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("raw_floor: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      auto what = events[static_cast<std::size_t>(i)].events;
      if (fd == ls) {
        for (;;) {
          int cfd = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK);
          if (cfd < 0) break;
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = cfd;
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
          clients[cfd].fd = cfd;
        }
        continue;
      }
      auto it = clients.find(fd);
      if (it == clients.end()) continue;
      client& c = it->second;
      if (what & EPOLLOUT) {
        ssize_t w = ::write(fd, c.out.data(), c.out.size());
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
          drop(fd);
          continue;
        }
        if (w > 0) c.out.erase(0, static_cast<std::size_t>(w));
        if (c.out.empty()) want_out(c, false);
      }
      if (what & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          drop(fd);
          continue;
        }
        if (r < 0) continue;
        c.in.append(buf, static_cast<std::size_t>(r));
        bool ok = c.upgraded ? on_frames(c) : on_handshake(c) && (c.in.empty() || on_frames(c));
        if (!ok) drop(fd);
      }
      for (int d : to_drop) drop(d);
      to_drop.clear();
    }
  }
}

// The message bytes: exact headers and encodings, header injection, and a round trip through
// Python's standard email package (a real, independent MIME parser).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "mail/mime.hpp"
#include "temp_dir.hpp"

namespace samling::mail {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find("\r\n", start);
    if (end == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

TEST(mime, date_is_rfc5322_in_utc_with_english_names) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1796251200), "Wed, 02 Dec 2026 22:40:00 +0000");
}

TEST(mime, header_safe_removes_line_breaks_and_controls) {
  EXPECT_EQ(header_safe("Hej\r\nBcc: evil@example.org"), "Hej Bcc: evil@example.org");
  EXPECT_EQ(header_safe("a\tb\x7f" "c"), "a b c");
  EXPECT_EQ(header_safe("\r\n"), "");
  EXPECT_EQ(header_safe("plain"), "plain");
}

TEST(mime, ascii_subject_stays_as_is_and_non_ascii_is_an_encoded_word) {
  EXPECT_EQ(encode_unstructured("Welcome", 9), "Welcome");
  EXPECT_EQ(encode_unstructured("Välkommen till Göteborg", 9), "=?UTF-8?B?VsOkbGtvbW1lbiB0aWxsIEfDtnRlYm9yZw==?=");
  // Text that looks like an encoded-word is encoded, so it reads back as written.
  EXPECT_EQ(encode_unstructured("=?x?=", 9), "=?UTF-8?B?PT94Pz0=?=");
}

TEST(mime, long_subject_folds_into_words_within_the_line_limit_without_splitting_characters) {
  std::string subject;
  for (int i = 0; i < 20; ++i) subject += "Åäö ";
  std::string value = encode_unstructured(subject, 9);
  auto lines = lines_of("Subject: " + value);
  ASSERT_GT(lines.size(), 1u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 78u) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ');
    }
  }
}

TEST(mime, mailbox_quotes_ascii_names_and_encodes_others) {
  EXPECT_EQ(encode_mailbox("", "a@example.org", 4), "<a@example.org>");
  EXPECT_EQ(encode_mailbox("Anna \"A\" Berg", "a@example.org", 4), "\"Anna \\\"A\\\" Berg\" <a@example.org>");
  EXPECT_EQ(encode_mailbox("Åsa Öberg", "asa@example.fi", 4), "=?UTF-8?B?w4VzYSDDlmJlcmc=?= <asa@example.fi>");
}

TEST(mime, quoted_printable_is_exact) {
  EXPECT_EQ(quoted_printable("Hej på dig\n"), "Hej p=C3=A5 dig\r\n");
  EXPECT_EQ(quoted_printable("a \nb\t\r\nc"), "a=20\r\nb=09\r\nc\r\n");
  EXPECT_EQ(quoted_printable(".\n.."), "=2E\r\n=2E.\r\n");
  EXPECT_EQ(quoted_printable("1+1=2"), "1+1=3D2\r\n");
  EXPECT_EQ(quoted_printable(""), "");
  std::string x100(100, 'x');
  EXPECT_EQ(quoted_printable(x100), std::string(75, 'x') + "=\r\n" + std::string(25, 'x') + "\r\n");
  // A line of exactly 76 needs no soft break; an escape is never split by one.
  EXPECT_EQ(quoted_printable(std::string(76, 'y')), std::string(76, 'y') + "\r\n");
  EXPECT_EQ(quoted_printable(std::string(74, 'z') + "å"),
            std::string(74, 'z') + "=\r\n=C3=A5\r\n");
}

TEST(mime, address_problem_refuses_what_could_break_a_header_or_command) {
  EXPECT_FALSE(address_problem("anna@example.org"));
  EXPECT_TRUE(address_problem(""));
  EXPECT_TRUE(address_problem("anna"));
  EXPECT_TRUE(address_problem("a@b@c"));
  EXPECT_TRUE(address_problem("@example.org"));
  EXPECT_TRUE(address_problem("anna@"));
  EXPECT_TRUE(address_problem("anna@example.org\r\nRCPT TO:<x@y>"));
  EXPECT_TRUE(address_problem("anna@example.org>"));
  EXPECT_TRUE(address_problem("an na@example.org"));
  EXPECT_TRUE(address_problem(std::string(250, 'a') + "@b.se"));
}

message sample() {
  message m;
  m.to = "anna@example.org";
  m.to_name = "Anna";
  m.subject = "Hello";
  m.text = "Line one\nLine two\n";
  m.language = "en";
  m.kind = "test";
  return m;
}

TEST(mime, text_only_message_is_exact) {
  std::string got = build_message(sample(), {"noreply@samling.example", "Samling"}, 1796251200, "m-0123456789abcdef");
  EXPECT_EQ(got,
            "Date: Wed, 02 Dec 2026 22:40:00 +0000\r\n"
            "From: \"Samling\" <noreply@samling.example>\r\n"
            "To: \"Anna\" <anna@example.org>\r\n"
            "Subject: Hello\r\n"
            "Message-ID: <m-0123456789abcdef@samling.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "Content-Language: en\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Line one\r\n"
            "Line two\r\n");
}

TEST(mime, text_and_html_make_a_multipart_alternative) {
  message m = sample();
  m.html = "<p>Line one</p>";
  std::string got = build_message(m, {"noreply@samling.example", ""}, 1796251200, "m-1");
  const std::string tail =
      "Content-Type: multipart/alternative; boundary=\"=_samling_m-1\"\r\n"
      "\r\n"
      "--=_samling_m-1\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Line one\r\n"
      "Line two\r\n"
      "\r\n"
      "--=_samling_m-1\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "<p>Line one</p>\r\n"
      "\r\n"
      "--=_samling_m-1--\r\n";
  ASSERT_GE(got.size(), tail.size());
  EXPECT_EQ(got.substr(got.size() - tail.size()), tail);
  EXPECT_NE(got.find("From: <noreply@samling.example>\r\n"), std::string::npos);
}

TEST(mime, injection_through_subject_or_names_cannot_add_a_header) {
  message m = sample();
  m.subject = "Hi\r\nBcc: evil@example.org";
  m.to_name = "Anna\r\nX-Evil: 1";
  std::string got = build_message(m, {"noreply@samling.example", "S\nReply-To: evil@example.org"}, 0, "m-2");
  for (auto& line : lines_of(got)) {
    EXPECT_NE(line.rfind("Bcc:", 0), 0u) << line;
    EXPECT_NE(line.rfind("X-Evil:", 0), 0u) << line;
    EXPECT_NE(line.rfind("Reply-To:", 0), 0u) << line;
  }
  EXPECT_NE(got.find("Subject: Hi Bcc: evil@example.org\r\n"), std::string::npos);
}

TEST(mime, refuses_bad_addresses_and_ids) {
  message m = sample();
  m.to = "anna@example.org\r\nBcc: x@y";
  EXPECT_THROW(build_message(m, {"noreply@samling.example", ""}, 0, "m-3"), std::invalid_argument);
  EXPECT_THROW(build_message(sample(), {"noreply", ""}, 0, "m-3"), std::invalid_argument);
  EXPECT_THROW(build_message(sample(), {"noreply@samling.example", ""}, 0, "m 3>"), std::invalid_argument);
}

// Python's email package (policy.default: RFC 2047, quoted-printable and multipart decoding)
// reads the message back; what it decodes must be what we put in.
TEST(mime, python_email_package_decodes_it_back_to_the_same_text) {
  message m;
  m.to = "asa@example.fi";
  m.to_name = "Åsa Öberg-Mäkinen";
  m.subject = "Välkommen till Göteborg – tervetuloa Helsinkiin! Åäö ÅÄÖ, och en lång ämnesrad som måste vikas";
  m.text = "Hej Åsa!\n\nDin plats är bokad. Länk: https://samling.example/#event=e1&registration=abc=def\n"
           ".\n" + std::string(120, 'x') + "å\nslut med blanksteg \n";
  m.html = "<p>Hej <b>Åsa</b>!</p>\n<p>Din plats är bokad = klart.</p>";
  m.language = "sv";
  const std::string bytes = build_message(m, {"noreply@samling.example", "Samling – Länsstyrelsen"}, 1796251200, "m-42");
  for (auto& line : lines_of(bytes)) EXPECT_LE(line.size(), 998u);

  testing::temp_dir dir;
  const std::string eml = dir.file("m.eml");
  const std::string script = dir.file("read.py");
  { std::ofstream(eml, std::ios::binary) << bytes; }
  {
    std::ofstream(script) << R"py(
import email, email.policy, json, sys
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
print(json.dumps({
  'subject': str(msg['subject']),
  'from_name': msg['from'].addresses[0].display_name,
  'from': msg['from'].addresses[0].addr_spec,
  'to_name': msg['to'].addresses[0].display_name,
  'to': msg['to'].addresses[0].addr_spec,
  'message_id': msg['message-id'],
  'type': msg.get_content_type(),
  # On the wire every line ends in CRLF; the parser keeps that. Compare with the LF we wrote.
  'text': msg.get_body(('plain',)).get_content().replace('\r\n', '\n'),
  'html': msg.get_body(('html',)).get_content().replace('\r\n', '\n'),
  'defects': len(msg.defects) + sum(len(p.defects) for p in msg.walk()),
}))
)py";
  }
  const std::string cmd = "/usr/bin/python3 " + script + " " + eml;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0) << out;
  auto v = boost::json::parse(out).as_object();
  EXPECT_EQ(v["subject"].as_string(), m.subject);
  EXPECT_EQ(v["from_name"].as_string(), "Samling – Länsstyrelsen");
  EXPECT_EQ(v["from"].as_string(), "noreply@samling.example");
  EXPECT_EQ(v["to_name"].as_string(), m.to_name);
  EXPECT_EQ(v["to"].as_string(), m.to);
  EXPECT_EQ(v["message_id"].as_string(), "<m-42@samling.example>");
  EXPECT_EQ(v["type"].as_string(), "multipart/alternative");
  // Lines come back with LF; the text ended with a line break, the HTML did not (it gets one).
  EXPECT_EQ(std::string(v["text"].as_string()), m.text);
  EXPECT_EQ(std::string(v["html"].as_string()), m.html + "\n");
  EXPECT_EQ(v["defects"].as_int64(), 0);
}

}  // namespace
}  // namespace samling::mail

#pragma once
// Recordings split by program session: which session runs when, where the next split is,
// what the file is called and its WebVTT chapters. Pure: no GStreamer, no files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samling::media {

// One program session in a room. UTC ms; `title` in the event's first language (UTF-8, may
// hold any character). A slot with end_ms <= start_ms is empty and ignored everywhere.
struct session_slot {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string title;
};

// A file-name-safe slug: lower-case ASCII letters, digits and single '-' between words.
// Latin letters with diacritics are transliterated (å ä → a, ö ø → o, é → e, ü → u,
// ß → ss, æ → ae, œ → oe, þ → th, and the rest of Latin-1 and Latin Extended-A, so Swedish,
// Finnish, Sámi, German, French … come out right); apostrophes vanish ("Don't" → "dont");
// other punctuation, whitespace and symbols, ASCII or Unicode, separate words; any other
// non-ASCII (emoji, other scripts, combining marks) is dropped; invalid UTF-8 bytes too.
// Longer than `max_len`: cut at the last word boundary that fits (mid-word only when the
// first word alone is too long). Never empty: "session" when nothing is left (also when
// max_len is 0). No dots at all, so never a leading dot.
std::string slugify(std::string_view title, std::size_t max_len = 60);

// "2026-11-21T09-00-00Z_01-oppning-av-konferensen.ts": the UTC start to the second (':' is
// not portable in file names), the index with at least 2 digits (1-based; negative → 0),
// the slugified title when not empty. Always passes is_safe_file_name.
std::string recording_file_name(std::int64_t start_utc_ms, int index,
                                std::string_view session_title);

// The session running at `t_ms` (start <= t < end), nullptr if none. `schedule` may be
// unsorted; when sessions overlap, the one that started last wins (a short talk inside a
// long block); on equal starts, the one listed first. The pointer points into `schedule`.
const session_slot* session_at(const std::vector<session_slot>& schedule, std::int64_t t_ms);

// The first session start or end strictly after `t_ms`: when the recording should split
// next. INT64_MAX when there is none.
std::int64_t next_boundary_after(const std::vector<session_slot>& schedule, std::int64_t t_ms);

// A chapter of one recording, in ms relative to the recording's start.
struct chapter {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string title;
};

// A WebVTT chapters file: "WEBVTT\n\n1\n00:00:00.000 --> 00:45:00.000\nTitle\n\n…". Hours
// have at least 2 digits (more when needed). Negative times are clamped to 0; chapters that
// are then empty (end <= start) are left out and the cues numbered without gaps. Titles are
// made safe: line breaks become spaces, runs of whitespace one space, '&' '<' '>' are
// escaped as WebVTT cue text requires (so "-->" cannot occur); an empty title becomes the
// chapter's number.
std::string render_webvtt_chapters(const std::vector<chapter>& chapters);

// For the download route: 1..200 characters of [A-Za-z0-9._-], no leading dot, no "..".
// Such a name cannot leave the recordings directory or name a hidden file.
bool is_safe_file_name(std::string_view name);

}  // namespace samling::media

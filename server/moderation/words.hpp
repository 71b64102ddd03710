#pragma once
// The event's word list (docs/protocol.md, moderate: words): a chat message that contains a
// listed word is held for review. Matching is on whole words, case-insensitive: the text is
// split into words at everything that is not a letter, a digit or a combining mark, and each
// word is folded to lower case as rooms::name_key folds names (ASCII, Latin-1, Latin
// Extended-A: Å and å, É and é are one letter; å and a stay two, as they are in Swedish and
// Finnish). "Idiot" and "IDIOT!" match the entry "idiot"; "idiotisk" and "idiot2" do not. An
// entry of several words ("dum i huvudet") matches those words in a row. No I/O.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace samling::moderation {

// The folded words of `text`, in order.
std::vector<std::string> split_words(std::string_view text);

// The limits of a list (docs/protocol.md): at most max_words entries, each 1..max_word_chars
// code points after trimming.
inline constexpr std::size_t max_words = 500;
inline constexpr std::size_t max_word_chars = 64;

// Checks and tidies a list as a moderator sent it: each entry trimmed, an entry whose folded
// form repeats an earlier one dropped, order kept. Returns "" when the list may be stored,
// else what is wrong with it (the `bad_message` error's message).
std::string normalize_words(std::vector<std::string>& words);

// A list prepared for matching many messages.
class word_list {
 public:
  explicit word_list(const std::vector<std::string>& entries);
  bool empty() const { return by_first_.empty(); }
  // Whether `text` contains an entry, as whole words.
  bool matches(std::string_view text) const;

 private:
  // Each entry's folded words, by its first word: a message's words are looked up, not
  // compared with every entry.
  std::unordered_map<std::string, std::vector<std::vector<std::string>>> by_first_;
};

}  // namespace samling::moderation

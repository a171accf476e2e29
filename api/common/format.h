// kube::Sprintf: Go's fmt.Sprintf for C++ — the formatting behind Eventf.
//
// Type-safe: arguments are captured with their type, so a mismatched verb cannot crash; it
// renders as Go does (`%!d(string=abc)`), as do missing (`%!s(MISSING)`) and extra
// (`%!(EXTRA int=3)`) arguments. Verbs: %v %s %q %d %x %X %o %b %c %e %E %f %F %g %G %t %p %T
// %%, with flags `+-# 0`, width and precision.
#pragma once

#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace kube {

/// One type-erased Sprintf argument. Constructible from integers, floating point, bool,
/// characters and strings, enums (as their integer value), and pointers.
class FormatArg {
 public:
  enum class Kind { kInt, kUint, kDouble, kBool, kString, kPointer };

  template <std::signed_integral T>
  requires(!std::same_as<T, char>) FormatArg(T v)
      : kind_(Kind::kInt), i_(v), type_(IntName(sizeof(T))) {}  // NOLINT
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) FormatArg(T v)
      : kind_(Kind::kUint), u_(v), type_(UintName(sizeof(T))) {}                   // NOLINT
  FormatArg(char c) : kind_(Kind::kInt), i_(c), type_("int32") {}                  // NOLINT
  FormatArg(bool b) : kind_(Kind::kBool), b_(b), type_("bool") {}                  // NOLINT
  FormatArg(double d) : kind_(Kind::kDouble), d_(d), type_("float64") {}           // NOLINT
  FormatArg(float f) : kind_(Kind::kDouble), d_(f), type_("float32") {}            // NOLINT
  FormatArg(std::string_view s) : kind_(Kind::kString), s_(s), type_("string") {}  // NOLINT
  FormatArg(const std::string& s) : FormatArg(std::string_view(s)) {}              // NOLINT
  FormatArg(const char* s)                                                         // NOLINT
      : kind_(Kind::kString), s_(s != nullptr ? s : "<nil>"), type_("string") {}
  FormatArg(char* s) : FormatArg(static_cast<const char*>(s)) {}  // NOLINT
  template <typename E>
  requires std::is_enum_v<E> FormatArg(E e)  // NOLINT
      : FormatArg(static_cast<std::underlying_type_t<E>>(e)) {}
  template <typename T>
  requires(!std::is_same_v<std::remove_cv_t<T>, char>) FormatArg(T* p)  // NOLINT
      : kind_(Kind::kPointer), u_(reinterpret_cast<std::uintptr_t>(p)), type_("pointer") {}

  Kind kind() const { return kind_; }
  std::int64_t int_value() const { return i_; }
  std::uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  bool bool_value() const { return b_; }
  std::string_view string_value() const { return s_; }
  /// The Go name of the type, used in `%!verb(type=value)` and %T.
  std::string_view type_name() const { return type_; }

 private:
  static constexpr const char* IntName(std::size_t n) {
    return n == 1 ? "int8" : n == 2 ? "int16" : n == 4 ? "int" : "int64";
  }
  static constexpr const char* UintName(std::size_t n) {
    return n == 1 ? "uint8" : n == 2 ? "uint16" : n == 4 ? "uint" : "uint64";
  }
  Kind kind_;
  std::int64_t i_ = 0;
  std::uint64_t u_ = 0;
  double d_ = 0;
  bool b_ = false;
  std::string_view s_;
  const char* type_;
};

/// Go's strconv.Quote (what %q prints for a string): escapes `"`, `\\` and control
/// characters, keeps valid UTF-8, and writes invalid bytes as \x.. escapes.
std::string GoQuote(std::string_view s);

/// Go's url.PathUnescape (or, with `plus_is_space`, QueryUnescape), leniently: "%XX" becomes
/// the byte, and a '%' not followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view s, bool plus_is_space = false);

/// Appends the Go-formatted text to `out`.
void AppendSprintf(std::string& out, std::string_view format, std::span<const FormatArg> args);

/// Go's fmt.Sprintf over type-erased arguments.
inline std::string SprintfArgs(std::string_view format, std::span<const FormatArg> args) {
  std::string out;
  AppendSprintf(out, format, args);
  return out;
}

/// Calls `fn` with `args` type-erased into a span of FormatArg (empty for none): the one place
/// the variadic formatting front ends (Sprintf, the recorders' Eventf) turn their arguments
/// into what AppendSprintf takes.
template <typename Fn, typename... Args>
decltype(auto) WithFormatArgs(Fn&& fn, const Args&... args) {
  if constexpr (sizeof...(Args) == 0) {
    return fn(std::span<const FormatArg>());
  } else {
    const FormatArg list[] = {FormatArg(args)...};
    return fn(std::span<const FormatArg>(list));
  }
}

/// Go's fmt.Sprintf: `Sprintf("pod %s restarted %d times", name, n)`.
template <typename... Args>
std::string Sprintf(std::string_view format, const Args&... args) {
  return WithFormatArgs(
      [format](std::span<const FormatArg> list) { return SprintfArgs(format, list); }, args...);
}

}  // namespace kube

#include "kubeevents/tools/localapiserver/internal/selector.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kube::localapiserver::internal {

namespace {

constexpr std::array<std::string_view, 11> kCoreFieldLabels = {"involvedObject.kind",
                                                               "involvedObject.namespace",
                                                               "involvedObject.name",
                                                               "involvedObject.uid",
                                                               "involvedObject.apiVersion",
                                                               "involvedObject.resourceVersion",
                                                               "involvedObject.fieldPath",
                                                               "reason",
                                                               "reportingComponent",
                                                               "source",
                                                               "type"};

std::string ConvertEventsV1Label(std::string_view label) {
  if (label == "reportingController") return "reportingComponent";
  constexpr std::string_view kRegarding = "regarding.";
  if (label.substr(0, kRegarding.size()) == kRegarding) {
    return "involvedObject." + std::string(label.substr(kRegarding.size()));
  }
  return std::string(label);
}

bool IsCoreLabel(std::string_view label) {
  return label == "metadata.name" || label == "metadata.namespace" ||
         std::find(kCoreFieldLabels.begin(), kCoreFieldLabels.end(), label) !=
             kCoreFieldLabels.end();
}

// Splits on unescaped ',' (fields.splitTerms).
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  std::string cur;
  bool escaped = false;
  for (char c : s) {
    if (escaped) {
      cur += '\\';
      cur += c;
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ',') {
      terms.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (escaped) cur += '\\';
  terms.push_back(std::move(cur));
  return terms;
}

// Unescapes \\ \, \= ; any other escape is an error (fields.UnescapeValue).
StatusOr<std::string> UnescapeValue(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 >= s.size())
        return InvalidArgumentError("invalid trailing escape sequence: " + std::string(s));
      const char n = s[++i];
      if (n != '\\' && n != ',' && n != '=') {
        return InvalidArgumentError("invalid escape sequence: " + std::string(s));
      }
      out += n;
    } else if (s[i] == ',' || s[i] == '=') {
      return InvalidArgumentError("unescaped character in value: " + std::string(s));
    } else {
      out += s[i];
    }
  }
  return out;
}

StatusOr<std::vector<FieldRequirement>> ParseFields(std::string_view selector) {
  std::vector<FieldRequirement> out;
  for (const auto& term : SplitTerms(selector)) {
    if (term.empty()) continue;
    // Find the first operator not preceded by an escape.
    std::size_t pos = std::string::npos;
    std::size_t op_len = 0;
    bool equals = true;
    for (std::size_t i = 0; i < term.size(); ++i) {
      if (term[i] == '\\') {
        ++i;
        continue;
      }
      if (term.compare(i, 2, "!=") == 0) {
        pos = i, op_len = 2, equals = false;
        break;
      }
      if (term.compare(i, 2, "==") == 0) {
        pos = i, op_len = 2;
        break;
      }
      if (term[i] == '=') {
        pos = i, op_len = 1;
        break;
      }
    }
    if (pos == std::string::npos) {
      return InvalidArgumentError("invalid selector: '" + std::string(selector) +
                                  "'; can't understand '" + term + "'");
    }
    auto value = UnescapeValue(std::string_view(term).substr(pos + op_len));
    if (!value) return value.status();
    out.push_back({term.substr(0, pos), std::move(*value), equals});
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Splits a label selector on commas outside parentheses.
std::vector<std::string_view> SplitLabelTerms(std::string_view s) {
  std::vector<std::string_view> terms;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (s[i] == ',' && depth == 0) {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

Status BadLabel(std::string_view selector, std::string_view why) {
  return InvalidArgumentError("unable to parse requirement: " + std::string(why) +
                              " in label selector \"" + std::string(selector) + "\"");
}

Status CheckLabelKey(std::string_view selector, std::string_view key) {
  if (auto errs = IsQualifiedName(key); !errs.empty()) {
    return BadLabel(selector, "key: Invalid value: " + GoQuote(key) + ": " + errs.front());
  }
  return {};
}

Status CheckLabelValue(std::string_view selector, std::string_view value) {
  if (auto errs = IsValidLabelValue(value); !errs.empty()) {
    return BadLabel(selector, "values[0]: Invalid value: " + GoQuote(value) + ": " + errs.front());
  }
  return {};
}

StatusOr<std::vector<LabelRequirement>> ParseLabels(std::string_view selector) {
  std::vector<LabelRequirement> out;
  if (Trim(selector).empty()) return out;
  for (auto raw : SplitLabelTerms(selector)) {
    auto term = Trim(raw);
    if (term.empty()) return BadLabel(selector, "found '', expected: identifier");
    LabelRequirement req;
    if (term.front() == '!') {
      req.key = std::string(Trim(term.substr(1)));
      req.op = LabelRequirement::Op::kNotExists;
      if (auto st = CheckLabelKey(selector, req.key); !st.ok()) return st;
      out.push_back(std::move(req));
      continue;
    }
    std::size_t op = term.find_first_of("!=");
    auto set_op = [&](std::string_view word) -> std::size_t {
      for (std::size_t i = 0; i + word.size() <= term.size(); ++i) {
        if (term.substr(i, word.size()) == word && i > 0 && IsSpace(term[i - 1])) return i;
      }
      return std::string_view::npos;
    };
    const std::size_t notin = set_op("notin");
    const std::size_t in = notin == std::string_view::npos ? set_op("in") : std::string_view::npos;
    if (notin != std::string_view::npos || in != std::string_view::npos) {
      const std::size_t at = notin != std::string_view::npos ? notin : in;
      req.key = std::string(Trim(term.substr(0, at)));
      req.op = notin != std::string_view::npos ? LabelRequirement::Op::kNotIn
                                               : LabelRequirement::Op::kIn;
      auto rest = Trim(term.substr(at + (notin != std::string_view::npos ? 5 : 2)));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
        return BadLabel(selector, "found '" + std::string(rest) + "', expected: '('");
      }
      rest = rest.substr(1, rest.size() - 2);
      std::size_t start = 0;
      while (true) {
        const auto comma = rest.find(',', start);
        auto v = Trim(rest.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (auto st = CheckLabelValue(selector, v); !st.ok()) return st;
        req.values.emplace_back(v);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else if (op != std::string_view::npos) {
      req.key = std::string(Trim(term.substr(0, op)));
      std::size_t vstart;
      if (term[op] == '!') {
        if (op + 1 >= term.size() || term[op + 1] != '=') {
          return BadLabel(selector, "found '!', expected: '='");
        }
        req.op = LabelRequirement::Op::kNotIn;
        vstart = op + 2;
      } else {
        req.op = LabelRequirement::Op::kIn;
        vstart = op + (op + 1 < term.size() && term[op + 1] == '=' ? 2 : 1);
      }
      auto v = Trim(term.substr(vstart));
      if (auto st = CheckLabelValue(selector, v); !st.ok()) return st;
      req.values.emplace_back(v);
    } else {
      req.key = std::string(term);
      req.op = LabelRequirement::Op::kExists;
    }
    if (auto st = CheckLabelKey(selector, req.key); !st.ok()) return st;
    out.push_back(std::move(req));
  }
  return out;
}

}  // namespace

std::string NameFieldSelector(std::string_view name, std::string_view field_selector) {
  std::string fs = "metadata.name=";
  fs += name;
  if (!field_selector.empty()) (fs += ',') += field_selector;
  return fs;
}

std::string EventFieldValue(const api::core::v1::Event& e, std::string_view label) {
  const auto& io = e.involved_object;
  if (label == "metadata.name") return e.metadata.name;
  if (label == "metadata.namespace") return e.metadata.namespace_;
  if (label == "involvedObject.kind") return io.kind;
  if (label == "involvedObject.namespace") return io.namespace_;
  if (label == "involvedObject.name") return io.name;
  if (label == "involvedObject.uid") return io.uid;
  if (label == "involvedObject.apiVersion") return io.api_version;
  if (label == "involvedObject.resourceVersion") return io.resource_version;
  if (label == "involvedObject.fieldPath") return io.field_path;
  if (label == "reason") return e.reason;
  if (label == "reportingComponent") return e.reporting_controller;
  if (label == "source") {
    return e.source.component.empty() ? e.reporting_controller : e.source.component;
  }
  if (label == "type") return e.type;
  return {};
}

StatusOr<Selector> Selector::Build(std::string_view field_selector, std::string_view label_selector,
                                   const std::function<bool(FieldRequirement&)>& accept_field) {
  Selector s;
  auto fields = ParseFields(field_selector);
  if (!fields) return fields.status();
  for (auto& f : *fields) {
    if (!accept_field(f)) return InvalidArgumentError("field label not supported: " + f.key);
  }
  s.fields_ = std::move(*fields);
  auto labels = ParseLabels(label_selector);
  if (!labels) return labels.status();
  s.labels_ = std::move(*labels);
  return s;
}

StatusOr<Selector> Selector::Parse(std::string_view field_selector, std::string_view label_selector,
                                   RequestVersion version) {
  return Build(field_selector, label_selector, [version](FieldRequirement& f) {
    if (version != RequestVersion::kEventsV1) return IsCoreLabel(f.key);
    f.key = ConvertEventsV1Label(f.key);  // unknown labels pass through, as kube-apiserver's
    return true;
  });
}

StatusOr<Selector> Selector::ParseForLeases(std::string_view field_selector,
                                            std::string_view label_selector) {
  return Build(field_selector, label_selector, [](const FieldRequirement& f) {
    return f.key == "metadata.name" || f.key == "metadata.namespace";
  });
}

bool Selector::Matches(const api::core::v1::Event& e) const {
  for (const auto& f : fields_) {
    if ((EventFieldValue(e, f.key) == f.value) != f.equals) return false;
  }
  return LabelsMatch(e.metadata.labels);
}

bool Selector::Matches(const api::coordination::v1::Lease& l) const {
  for (const auto& f : fields_) {
    const std::string& v = f.key == "metadata.name" ? l.metadata.name : l.metadata.namespace_;
    if ((v == f.value) != f.equals) return false;
  }
  return LabelsMatch(l.metadata.labels);
}

bool Selector::LabelsMatch(const std::map<std::string, std::string>& labels) const {
  for (const auto& l : labels_) {
    const auto it = labels.find(l.key);
    const bool has = it != labels.end();
    switch (l.op) {
      case LabelRequirement::Op::kExists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::kNotExists:
        if (has) return false;
        break;
      case LabelRequirement::Op::kIn:
        if (!has || std::find(l.values.begin(), l.values.end(), it->second) == l.values.end())
          return false;
        break;
      case LabelRequirement::Op::kNotIn:
        if (has && std::find(l.values.begin(), l.values.end(), it->second) != l.values.end())
          return false;
        break;
    }
  }
  return true;
}

}  // namespace kube::localapiserver::internal

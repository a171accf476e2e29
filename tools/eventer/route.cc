#include "kubeevents/tools/eventer/route.h"

#include <utility>

namespace kube::eventer {

StatusOr<ValueMatcher> ValueMatcher::Compile(const std::string& pattern) {
  ValueMatcher m;
  if (pattern.find_first_of("\\^$.|?*+()[]{}") == std::string::npos) {
    m.literal_ = pattern;
    return m;
  }
  try {
    m.regex_ = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgumentError("bad regular expression \"" + pattern + "\": " + e.what());
  }
  return m;
}

bool ValueMatcher::Matches(std::string_view value) const {
  if (!regex_) return value == literal_;
  return std::regex_match(value.begin(), value.end(), *regex_);
}

bool CompiledRule::Matches(const ExportedEvent& e) const {
  const auto& ev = e.event;
  auto ok = [](const std::optional<ValueMatcher>& m, std::string_view v) {
    return !m || m->Matches(v);
  };
  if (ev.count < min_count) return false;
  if (!ok(namespace_, ev.metadata.namespace_) || !ok(kind, ev.involved_object.kind) ||
      !ok(name, ev.involved_object.name) || !ok(reason, ev.reason) || !ok(type, ev.type)) {
    return false;
  }
  if (component && !component->Matches(ev.source.component.empty() ? ev.reporting_controller
                                                                   : ev.source.component)) {
    return false;
  }
  if (!ok(message, ev.message)) return false;
  for (const auto& [key, m] : labels) {
    if (!e.labels) return false;
    auto it = e.labels->find(key);
    if (it == e.labels->end() || !m.Matches(it->second)) return false;
  }
  return true;
}

namespace {

Status CompileField(const std::string& pattern, const std::string& path,
                    std::optional<ValueMatcher>& out) {
  if (pattern.empty()) return Status();
  auto m = ValueMatcher::Compile(pattern);
  if (!m.ok()) return InvalidArgumentError(path + ": " + m.status().message());
  out = *std::move(m);
  return Status();
}

StatusOr<CompiledRule> CompileRule(const RuleConfig& r, const std::string& path,
                                   const std::vector<std::string>& receivers, bool& uses_labels) {
  CompiledRule c;
  for (auto [pattern, key, out] : {
           std::tuple{&r.namespace_, "namespace", &c.namespace_},
           std::tuple{&r.kind, "kind", &c.kind},
           std::tuple{&r.name, "name", &c.name},
           std::tuple{&r.reason, "reason", &c.reason},
           std::tuple{&r.type, "type", &c.type},
           std::tuple{&r.component, "component", &c.component},
           std::tuple{&r.message, "message", &c.message},
       }) {
    if (Status s = CompileField(*pattern, path + "." + key, *out); !s.ok()) return s;
  }
  for (const auto& [key, pattern] : r.labels) {
    auto m = ValueMatcher::Compile(pattern);
    if (!m.ok()) return InvalidArgumentError(path + ".labels." + key + ": " + m.status().message());
    c.labels.emplace_back(key, *std::move(m));
    uses_labels = true;
  }
  c.min_count = r.min_count;
  if (!r.receiver.empty()) {
    for (std::size_t i = 0; i < receivers.size(); ++i) {
      if (receivers[i] == r.receiver) c.receiver = static_cast<int>(i);
    }
    if (c.receiver < 0) {
      return InvalidArgumentError(path + ".receiver: unknown receiver \"" + r.receiver + "\"");
    }
  }
  return c;
}

}  // namespace

StatusOr<Router> Router::Compile(const RouteConfig& route,
                                 const std::vector<std::string>& receivers) {
  Router router;
  // Iterative over an explicit stack would be overkill: route trees are a few levels deep.
  struct Compiler {
    const std::vector<std::string>& receivers;
    bool& uses_labels;
    Status Run(const RouteConfig& in, const std::string& path, Node& out) {
      for (std::size_t i = 0; i < in.drop.size(); ++i) {
        const std::string p = path + ".drop[" + std::to_string(i) + "]";
        if (!in.drop[i].receiver.empty()) {
          return InvalidArgumentError(p + ".receiver: drop rules take no receiver");
        }
        auto r = CompileRule(in.drop[i], p, receivers, uses_labels);
        if (!r.ok()) return r.status();
        out.drop.push_back(*std::move(r));
      }
      for (std::size_t i = 0; i < in.match.size(); ++i) {
        auto r = CompileRule(in.match[i], path + ".match[" + std::to_string(i) + "]", receivers,
                             uses_labels);
        if (!r.ok()) return r.status();
        out.match.push_back(*std::move(r));
      }
      for (std::size_t i = 0; i < in.routes.size(); ++i) {
        out.routes.emplace_back();
        if (Status s =
                Run(in.routes[i], path + ".routes[" + std::to_string(i) + "]", out.routes.back());
            !s.ok()) {
          return s;
        }
      }
      return Status();
    }
  } compiler{receivers, router.uses_labels_};
  if (Status s = compiler.Run(route, "route", router.root_); !s.ok()) return s;
  return router;
}

void Router::Route(const ExportedEvent& e, std::vector<bool>& targets) const {
  Walk(root_, e, targets);
}

void Router::Walk(const Node& n, const ExportedEvent& e, std::vector<bool>& targets) {
  for (const auto& rule : n.drop) {
    if (rule.Matches(e)) return;
  }
  bool all = true;
  for (const auto& rule : n.match) {
    if (rule.Matches(e)) {
      if (rule.receiver >= 0) targets[static_cast<std::size_t>(rule.receiver)] = true;
    } else {
      all = false;
    }
  }
  if (!all) return;
  for (const auto& child : n.routes) Walk(child, e, targets);
}

}  // namespace kube::eventer

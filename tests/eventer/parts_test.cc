// Unit tests of the exporter's parts: templates, routes, dedupe, the acknowledgement tracker
// and the checkpoint file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "kubeevents/api/json.h"
#include "kubeevents/tools/eventer/checkpoint.h"
#include "kubeevents/tools/eventer/dedupe.h"
#include "kubeevents/tools/eventer/progress_tracker.h"
#include "kubeevents/tools/eventer/route.h"
#include "kubeevents/tools/eventer/template.h"
#include "test_events.h"

namespace kube::eventer {
namespace {

using testing::MakeEvent;

ExportedEvent Exported(api::core::v1::Event ev) {
  ExportedEvent e;
  e.event = std::move(ev);
  return e;
}

TEST(TemplateTest, FieldsJsonAndWholeEvent) {
  ExportedEvent e = Exported(MakeEvent("a.1", "7", "BackOff", "Warning", 3));
  e.event.message = "say \"hi\"\n";
  e.labels = std::make_shared<std::map<std::string, std::string>>(
      std::map<std::string, std::string>{{"app", "web"}});
  auto t = Template::Compile(
      "{{ .Namespace }}/{{.Name}} {{ .Reason }} x{{ .Count }} {{ json .Message }} "
      "{{ .InvolvedObject.Kind }}:{{ .InvolvedObject.Name }} {{ .Labels.app }}|{{ .Labels.no }}| "
      "{{ .Type | json }} {{ .Change }}");
  ASSERT_TRUE(t.ok()) << t.status();
  std::string out;
  t->Render(e, out);
  EXPECT_EQ(out, "default/a.1 BackOff x3 \"say \\\"hi\\\"\\n\" Pod:web-1 web|| \"Warning\" ADDED");
  EXPECT_TRUE(t->uses_labels());

  std::string whole;
  Template().Render(e, whole);
  EXPECT_EQ(whole, api::ToJson(e.event));
  std::string dot;
  Template::Compile("{{ . }}")->Render(e, dot);
  EXPECT_EQ(dot, api::ToJson(e.event));
}

// The JSON form is encoded once, by whichever receiver thread asks first, and every thread
// gets that one string; a copy starts without it and encodes its own event.
TEST(ExportedEventTest, JsonIsEncodedOnceForAllThreadsAndNotCopied) {
  ExportedEvent e = Exported(MakeEvent("a.1", "7", "BackOff", "Warning", 3));
  const std::string want = api::ToJson(e.event);
  constexpr int kThreads = 8;
  std::vector<const std::string*> seen(kThreads, nullptr);
  std::atomic<int> arrived{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        arrived.fetch_add(1);
        while (arrived.load() < kThreads) std::this_thread::yield();
        seen[static_cast<std::size_t>(i)] = &e.Json();
      });
    }
  }
  for (const std::string* s : seen) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s, seen[0]) << "one encoding, shared";
    EXPECT_EQ(*s, want);
  }
  ExportedEvent copy = e;
  copy.event.reason = "Pulled";
  EXPECT_EQ(copy.Json(), api::ToJson(copy.event));
  EXPECT_NE(copy.Json(), e.Json());
  EXPECT_EQ(e.Json(), want);
}

TEST(TemplateTest, ErrorsNameThePosition) {
  EXPECT_THAT(Template::Compile("ab {{ .Reason").status().message(),
              ::testing::HasSubstr("unclosed \"{{\" at offset 3"));
  EXPECT_THAT(Template::Compile("{{ .Reason | upper }}").status().message(),
              ::testing::HasSubstr("unknown function \"upper\""));
  EXPECT_THAT(Template::Compile("x{{ .reason }}").status().message(),
              ::testing::HasSubstr("unknown field \".reason\" at offset 1"));
}

std::vector<bool> RouteOf(const Router& r, const ExportedEvent& e, std::size_t n) {
  std::vector<bool> t(n, false);
  r.Route(e, t);
  return t;
}

TEST(RouterTest, DropMatchAndSubroutes) {
  RouteConfig rc;
  RuleConfig drop;
  drop.namespace_ = "kube-system";
  rc.drop.push_back(drop);
  RuleConfig all;
  all.receiver = "out";
  rc.match.push_back(all);
  RouteConfig child;
  RuleConfig warn;
  warn.type = "Warning";
  warn.reason = "Back.*|Failed";
  warn.min_count = 2;
  warn.receiver = "alerts";
  child.match.push_back(warn);
  rc.routes.push_back(child);
  auto router = Router::Compile(rc, {"out", "alerts"});
  ASSERT_TRUE(router.ok()) << router.status();

  EXPECT_EQ(RouteOf(*router, Exported(MakeEvent("a", "1")), 2), (std::vector<bool>{true, false}));
  EXPECT_EQ(RouteOf(*router, Exported(MakeEvent("a", "1", "BackOff", "Warning", 2)), 2),
            (std::vector<bool>{true, true}));
  // minCount not reached, and a reason that only partly matches (regexes match whole values).
  EXPECT_EQ(RouteOf(*router, Exported(MakeEvent("a", "1", "BackOff", "Warning", 1)), 2),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(RouteOf(*router, Exported(MakeEvent("a", "1", "FailedMount", "Warning", 5)), 2),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(
      RouteOf(*router, Exported(MakeEvent("a", "1", "BackOff", "Warning", 9, "kube-system")), 2),
      (std::vector<bool>{false, false}));
}

TEST(RouterTest, SubroutesRunOnlyWhenEveryMatchRuleMatched) {
  RouteConfig rc;
  RuleConfig gate;
  gate.kind = "Node";  // no receiver: a gate
  rc.match.push_back(gate);
  RouteConfig child;
  RuleConfig any;
  any.receiver = "nodes";
  child.match.push_back(any);
  rc.routes.push_back(child);
  auto router = Router::Compile(rc, {"nodes"});
  ASSERT_TRUE(router.ok());
  auto pod = Exported(MakeEvent("a", "1"));
  auto node = pod;
  node.event.involved_object.kind = "Node";
  EXPECT_FALSE(RouteOf(*router, pod, 1)[0]);
  EXPECT_TRUE(RouteOf(*router, node, 1)[0]);
}

TEST(RouterTest, LabelsAndComponent) {
  RouteConfig rc;
  RuleConfig r;
  r.labels["app"] = "web|api";
  r.component = "kubelet";
  r.receiver = "x";
  rc.match.push_back(r);
  auto router = Router::Compile(rc, {"x"});
  ASSERT_TRUE(router.ok());
  EXPECT_TRUE(router->uses_labels());
  auto e = Exported(MakeEvent("a", "1"));
  EXPECT_FALSE(RouteOf(*router, e, 1)[0]);  // labels unknown
  e.labels = std::make_shared<std::map<std::string, std::string>>(
      std::map<std::string, std::string>{{"app", "api"}});
  EXPECT_TRUE(RouteOf(*router, e, 1)[0]);
  e.event.source.component.clear();
  e.event.reporting_controller = "kubelet";  // events.k8s.io writers fill this instead
  EXPECT_TRUE(RouteOf(*router, e, 1)[0]);
}

TEST(RouterTest, UnknownReceiverAndBadRegex) {
  RouteConfig rc;
  RuleConfig r;
  r.receiver = "nope";
  rc.match.push_back(r);
  EXPECT_THAT(Router::Compile(rc, {"x"}).status().message(),
              ::testing::HasSubstr("route.match[0].receiver: unknown receiver \"nope\""));
  EXPECT_FALSE(ValueMatcher::Compile("a[").ok());
  EXPECT_TRUE(ValueMatcher::Compile("plain-text")->Matches("plain-text"));
  EXPECT_FALSE(ValueMatcher::Compile("plain")->Matches("plain-text"));
}

TEST(DedupeTest, SameVersionIsADuplicateNewVersionIsNot) {
  DedupeCache d(2);
  EXPECT_FALSE(d.SeenOrRecord("u1", "10"));
  EXPECT_TRUE(d.SeenOrRecord("u1", "10"));   // re-delivery
  EXPECT_TRUE(d.SeenOrRecord("u1", "9"));    // older than exported
  EXPECT_FALSE(d.SeenOrRecord("u1", "11"));  // count bump: a new occurrence
  EXPECT_FALSE(d.SeenOrRecord("u2", "12"));
  EXPECT_FALSE(d.SeenOrRecord("u3", "13"));  // evicts u1 (least recently used)
  EXPECT_EQ(d.size(), 2u);
  EXPECT_FALSE(d.SeenOrRecord("u1", "11"));
  EXPECT_EQ(CompareResourceVersions("9", "10"), -1);
  EXPECT_EQ(CompareResourceVersions("010", "10"), 0);
  EXPECT_EQ(CompareResourceVersions("abc", "10"), kIncomparable);
  EXPECT_EQ(CompareResourceVersions("abc", "abc"), 0);
}

TEST(ProgressTrackerTest, CommitsOnlyContiguouslySettledVersions) {
  ProgressTracker t;
  const auto a = t.Add("5", 2);  // two receivers
  const auto b = t.Add("6", 1);
  const auto c = t.Add("", 1);  // a list item: no version of its own
  t.Add("8", 0);                // the list's marker
  EXPECT_EQ(t.Committed(), "");
  t.Done(b);
  EXPECT_EQ(t.Committed(), "");  // a still owed by a receiver
  t.Done(a);
  EXPECT_EQ(t.Committed(), "");
  t.Done(a);
  EXPECT_EQ(t.Committed(), "6");
  t.Done(c);
  EXPECT_EQ(t.Committed(), "8");
  EXPECT_EQ(t.outstanding(), 0u);
  t.Done(c);  // stale calls are ignored
  EXPECT_EQ(t.Committed(), "8");
}

TEST(CheckpointTest, RoundTripAtomicAndCorrupt) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("eventer-cp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "checkpoint.json").string();
  auto empty = ReadCheckpoint(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  CheckpointState s{{CheckpointKey("", ""), "42"}, {CheckpointKey("ns", "type=Warning"), "7"}};
  ASSERT_TRUE(WriteCheckpoint(path, s).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto back = ReadCheckpoint(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->at("*|"), "42");
  for (const char* bad : {"{\"version\":1,\"watches\":", "[]", "{\"version\":2,\"watches\":{}}",
                          "{\"version\":1,\"watches\":{\"*|\":5}}"}) {
    std::ofstream(path, std::ios::trunc) << bad;
    auto r = ReadCheckpoint(path);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(path + ": corrupt checkpoint"));
  }
  // A valid checkpoint followed by a NUL byte and anything (a torn or padded write): corrupt,
  // not read up to the NUL as if that were the end of the file.
  {
    const std::string valid = R"({"version":1,"watches":{"*|":"42"}})";
    std::ofstream(path, std::ios::trunc | std::ios::binary) << valid << '\0' << "junk";
    auto r = ReadCheckpoint(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_THAT(r.status().message(),
                ::testing::HasSubstr("offset " + std::to_string(valid.size()) + ": a NUL byte"));
  }
  // Nested a million levels deep: parsed without recursion, reported as corrupt.
  std::ofstream(path, std::ios::trunc) << std::string(1000000, '[');
  auto deep = ReadCheckpoint(path);
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(deep.status().message(), ::testing::HasSubstr(path + ": corrupt checkpoint"));
  // A path that never ends (or a huge file) is refused at 16 MiB, not read into memory.
  auto endless = ReadCheckpoint("/dev/zero");
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(endless.status().message(), ::testing::HasSubstr("larger than 16 MiB"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kube::eventer

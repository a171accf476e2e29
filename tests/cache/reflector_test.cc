// kube::cache::Reflector against the local API server over HTTPS: list-then-watch, ADDED and
// MODIFIED (count bumps), cut streams, forced 410 Gone, garbage and ERROR frames, bookmarks,
// resuming from a resourceVersion, the server going away and coming back, and Stop() in
// every phase with the thread count back to its baseline.
#include "kubeevents/tools/cache/reflector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dirent.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/localapiserver/server.h"

namespace kube::cache {
namespace {

namespace v1 = api::core::v1;
using Type = Delta<v1::Event>::Type;

template <class Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

int ThreadCount() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n;
}

struct Seen {
  Type type;
  std::string name;
  std::string uid;
  std::string rv;
  std::int32_t count;
  bool from_relist;
};

// Records every delta; thread-safe.
class Recorder {
 public:
  void operator()(const Delta<v1::Event>& d) {
    std::lock_guard lock(mu_);
    seen_.push_back({d.type, d.object.metadata.name, d.object.metadata.uid,
                     d.object.metadata.resource_version, d.object.count, d.from_relist});
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  // No (uid, resourceVersion) delivered twice.
  bool NoDuplicates() const {
    std::lock_guard lock(mu_);
    std::set<std::pair<std::string, std::string>> keys;
    for (const auto& s : seen_) {
      if (s.type == Type::kDeleted) continue;
      if (!keys.insert({s.uid, s.rv}).second) return false;
    }
    return true;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

class ReflectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    localapiserver::ServerOptions o;
    o.watch_bookmark_interval = std::chrono::milliseconds(0);
    server_ = std::make_unique<localapiserver::Server>(o);
    ASSERT_TRUE(server_->Start().ok());
    auto config = rest::ParseKubeconfig(server_->KubeconfigYAML(), "local-apiserver");
    ASSERT_TRUE(config.ok()) << config.status();
    config->logger = std::make_shared<NullLogger>();
    config->qps = -1;
    client_ = rest::RESTClient::Create(*config).value();
  }

  ReflectorOptions FastOptions() {
    ReflectorOptions o;
    o.initial_backoff = std::chrono::milliseconds(5);
    o.max_backoff = std::chrono::milliseconds(50);
    o.logger = std::make_shared<NullLogger>();
    return o;
  }

  v1::Event Create(const std::string& name, const std::string& ns = "default") {
    v1::Event e;
    e.metadata.name = name;
    e.metadata.namespace_ = ns;
    e.involved_object = {"Pod", ns, "web-1", "u-1", "v1", "17", ""};
    e.reason = "BackOff";
    e.message = "Back-off restarting failed container";
    e.type = "Warning";
    e.source = {"kubelet", "node-1"};
    e.count = 1;
    auto r = client_->Post().Namespace(ns).Resource("events").Body(e).Do();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.Into<v1::Event>().value();
  }

  v1::Event Bump(const std::string& name, int count) {
    auto r = client_->Patch(std::string(rest::kStrategicMergePatchType))
                 .Namespace("default")
                 .Resource("events")
                 .Name(name)
                 .Body("{\"count\":" + std::to_string(count) + "}")
                 .Do();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.Into<v1::Event>().value();
  }

  void Delete(const std::string& name) {
    auto r = client_->Delete().Namespace("default").Resource("events").Name(name).Do();
    EXPECT_TRUE(r.ok()) << r.status();
  }

  std::string ServerRV() {
    auto list = client_->Get().Resource("events").Do().Into<v1::EventList>();
    EXPECT_TRUE(list.ok());
    return list->metadata.resource_version;
  }

  std::unique_ptr<localapiserver::Server> server_;
  std::shared_ptr<rest::RESTClient> client_;
  Recorder rec_;
};

TEST_F(ReflectorTest, ListsThenWatchesAddedModifiedDeleted) {
  Create("a.1");
  Create("a.2");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return r.HasSynced() && rec_.size() == 2; }));
  auto created = Create("a.3");
  auto bumped = Bump("a.1", 2);
  auto bumped_again = Bump("a.1", 3);
  Delete("a.2");
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 6; }));
  const auto seen = rec_.seen();
  EXPECT_EQ(seen[0].type, Type::kAdded);
  EXPECT_FALSE(seen[0].from_relist);
  EXPECT_EQ(seen[2].type, Type::kAdded);
  EXPECT_EQ(seen[2].name, "a.3");
  // A count bump is a new occurrence: delivered as MODIFIED, every time.
  EXPECT_EQ(seen[3].type, Type::kModified);
  EXPECT_EQ(seen[3].count, 2);
  EXPECT_EQ(seen[4].type, Type::kModified);
  EXPECT_EQ(seen[4].count, 3);
  EXPECT_EQ(seen[4].rv, bumped_again.metadata.resource_version);
  EXPECT_EQ(seen[5].type, Type::kDeleted);
  EXPECT_EQ(seen[5].name, "a.2");
  EXPECT_TRUE(WaitUntil([&] { return r.LastSyncResourceVersion() == ServerRV(); }));
  const auto st = r.Stats();
  EXPECT_EQ(st.lists, 1u);
  EXPECT_EQ(st.relists, 0u);
  EXPECT_EQ(st.added, 3u);
  EXPECT_EQ(st.modified, 2u);
  EXPECT_EQ(st.deleted, 1u);
  EXPECT_EQ(st.watches, 1u);
  r.Stop();
}

TEST_F(ReflectorTest, PagedListDeliversEveryItemOnce) {
  for (int i = 0; i < 7; ++i) Create("p." + std::to_string(i));
  auto o = FastOptions();
  o.page_size = 3;
  EventReflector r(NewEventListWatch(client_), std::ref(rec_), o);
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return r.HasSynced() && rec_.size() == 7; }));
  EXPECT_TRUE(rec_.NoDuplicates());
  EXPECT_EQ(r.Stats().lists, 1u);
}

TEST_F(ReflectorTest, CutStreamRewatchesFromTheLastResourceVersion) {
  Create("b.1");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1; }));
  // The list's item arrives before the watch is open; a cut before that would cut nothing.
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().watches >= 1; }));
  for (int round = 0; round < 3; ++round) {
    server_->CutWatches();
    Create("b.cut" + std::to_string(round));  // may land before the re-watch: no gap
    Bump("b.1", round + 2);
  }
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 7; }));
  EXPECT_TRUE(rec_.NoDuplicates());
  EXPECT_TRUE(WaitUntil([&] { return r.LastSyncResourceVersion() == ServerRV(); }));
  const auto st = r.Stats();
  EXPECT_EQ(st.lists, 1u);  // never re-listed
  EXPECT_GE(st.watch_restarts, 1u);
  EXPECT_EQ(st.added, 4u);
  EXPECT_EQ(st.modified, 3u);
  r.Stop();
  EXPECT_EQ(rec_.size(), 7u);
}

TEST_F(ReflectorTest, Forced410RelistsAndDeliversOnlyTheChanges) {
  Create("c.keep");
  Create("c.bump");
  Create("c.gone");
  std::promise<void> blocked, release;
  auto release_future = release.get_future().share();
  auto handler = [&](const Delta<v1::Event>& d) {
    rec_(d);
    if (d.object.metadata.name == "c.block") {
      blocked.set_value();
      release_future.wait();
    }
  };
  EventReflector r(NewEventListWatch(client_, "default"), handler, FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 3; }));
  Create("c.block");
  blocked.get_future().wait();
  // While the reflector sits in the handler: its stream is cut, changes happen that it
  // never sees on a watch, and the history is compacted past its resourceVersion.
  server_->CutWatches();
  Bump("c.bump", 5);
  Create("c.new");
  Delete("c.gone");
  server_->CompactHistory();
  release.set_value();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 7; }));
  const auto seen = rec_.seen();
  std::map<std::string, Seen> relisted;
  for (std::size_t i = 4; i < seen.size(); ++i) {
    EXPECT_TRUE(seen[i].from_relist) << seen[i].name;
    relisted[seen[i].name] = seen[i];
  }
  ASSERT_EQ(relisted.size(), 3u);
  EXPECT_EQ(relisted["c.bump"].type, Type::kModified);
  EXPECT_EQ(relisted["c.bump"].count, 5);
  EXPECT_EQ(relisted["c.new"].type, Type::kAdded);
  EXPECT_EQ(relisted["c.gone"].type, Type::kDeleted);
  const auto st = r.Stats();
  EXPECT_EQ(st.gone_410, 1u);
  EXPECT_EQ(st.relists, 1u);
  EXPECT_EQ(st.deduped, 2u);  // c.keep and c.block were not delivered again
  EXPECT_TRUE(WaitUntil([&] { return r.LastSyncResourceVersion() == ServerRV(); }));
  r.Stop();
  EXPECT_EQ(rec_.size(), 7u);
}

TEST_F(ReflectorTest, GarbageOnTheStreamRelistsAndIsCounted) {
  Create("d.1");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1 && r.Stats().watches == 1; }));
  server_->InjectWatchBytes("<html><body>502 Bad Gateway</body></html>\n");
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().relists == 1; }));
  Create("d.2");
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 2; }));
  const auto st = r.Stats();
  EXPECT_EQ(st.decode_errors, 1u);
  EXPECT_EQ(st.deduped, 1u);  // d.1 from the re-list
  EXPECT_TRUE(rec_.NoDuplicates());
}

TEST_F(ReflectorTest, ErrorFrameRelistsAndIsCounted) {
  Create("e.1");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1 && r.Stats().watches == 1; }));
  server_->InjectWatchBytes(
      R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
      R"("status":"Failure","message":"etcd leader changed","reason":"InternalError","code":500}})"
      "\n");
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().relists == 1; }));
  const auto st = r.Stats();
  EXPECT_EQ(st.error_events, 1u);
  EXPECT_EQ(st.gone_410, 0u);
  EXPECT_EQ(rec_.size(), 1u);
}

TEST_F(ReflectorTest, BookmarksAdvanceTheResourceVersion) {
  Create("f.1");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1 && r.Stats().watches == 1; }));
  Create("other.1", "other");  // invisible to this watch, but moves the resourceVersion
  Create("other.2", "other");
  const std::string rv = ServerRV();
  EXPECT_NE(r.LastSyncResourceVersion(), rv);
  server_->SendBookmarks();
  ASSERT_TRUE(WaitUntil([&] { return r.LastSyncResourceVersion() == rv; }));
  EXPECT_EQ(r.Stats().bookmarks, 1u);
  EXPECT_EQ(rec_.size(), 1u);
}

TEST_F(ReflectorTest, ResumesFromAResourceVersionWithoutListing) {
  Create("g.1");
  const std::string checkpoint = ServerRV();
  Create("g.2");
  auto o = FastOptions();
  o.initial_resource_version = checkpoint;
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), o);
  EXPECT_EQ(r.LastSyncResourceVersion(), "");
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1; }));
  EXPECT_TRUE(r.HasSynced());
  EXPECT_EQ(rec_.seen()[0].name, "g.2");
  EXPECT_EQ(r.Stats().lists, 0u);
}

TEST_F(ReflectorTest, ResumeFromACompactedResourceVersionRelistsOnlyNewer) {
  Create("h.1");
  const std::string checkpoint = ServerRV();
  Create("h.2");
  Bump("h.1", 2);
  server_->CompactHistory();
  auto o = FastOptions();
  o.initial_resource_version = checkpoint;
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), o);
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().lists == 1 && rec_.size() == 2; }));
  Create("h.3");
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 3; }));
  const auto seen = rec_.seen();
  std::set<std::string> names{seen[0].name, seen[1].name};
  EXPECT_EQ(names, (std::set<std::string>{"h.1", "h.2"}));  // h.1 changed after the checkpoint
  EXPECT_EQ(seen[2].name, "h.3");
  EXPECT_EQ(r.Stats().gone_410, 1u);
}

TEST_F(ReflectorTest, BacksOffWhileTheServerIsDownThenRecovers) {
  Create("i.1");
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 1 && r.Stats().watches == 1; }));
  server_->StopAccepting();
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().watch_errors >= 3; }));
  ASSERT_TRUE(server_->ResumeAccepting().ok());
  Create("i.2");
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 2; }));
  EXPECT_EQ(rec_.seen()[1].name, "i.2");
  EXPECT_EQ(r.Stats().lists, 1u);
  EXPECT_TRUE(rec_.NoDuplicates());
}

TEST_F(ReflectorTest, ListFailuresBackOffAndRetry) {
  Create("j.1");
  server_->faults().FailNext(3, 500);
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return r.HasSynced() && rec_.size() == 1; }));
  EXPECT_GE(r.Stats().list_errors, 1u);
}

TEST_F(ReflectorTest, StopInEveryPhaseJoinsEverything) {
  ServerRV();  // the client's first connection starts Asio's resolver thread (the client's own)
  const int baseline = ThreadCount();
  {  // never started
    EventReflector r(NewEventListWatch(client_), std::ref(rec_), FastOptions());
  }
  {  // during a slow list
    server_->faults().SetLatency(std::chrono::seconds(20));
    EventReflector r(NewEventListWatch(client_), std::ref(rec_), FastOptions());
    r.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r.Stop();
    EXPECT_FALSE(r.HasSynced());
    server_->faults().SetLatency(std::chrono::milliseconds(0));
  }
  {  // while watching
    EventReflector r(NewEventListWatch(client_), std::ref(rec_), FastOptions());
    r.Start();
    ASSERT_TRUE(WaitUntil([&] { return r.Stats().watches == 1; }));
    r.Stop();
    r.Stop();
  }
  {  // during a long backoff
    auto o = FastOptions();
    o.initial_backoff = std::chrono::seconds(60);
    server_->StopAccepting();
    EventReflector r(NewEventListWatch(client_), std::ref(rec_), o);
    r.Start();
    ASSERT_TRUE(WaitUntil([&] { return r.Stats().list_errors == 1; }));
    r.Stop();
    ASSERT_TRUE(server_->ResumeAccepting().ok());
  }
  {  // from inside the handler
    Create("k.1");
    std::atomic<int> calls{0};
    EventReflector* self = nullptr;
    EventReflector r(
        NewEventListWatch(client_),
        [&](const Delta<v1::Event>&) {
          ++calls;
          self->Stop();
        },
        FastOptions());
    self = &r;
    r.Start();
    ASSERT_TRUE(WaitUntil([&] { return calls.load() == 1; }));
    r.Stop();
    EXPECT_EQ(calls.load(), 1);
  }
  EXPECT_TRUE(WaitUntil([&] { return ThreadCount() == baseline; }))
      << ThreadCount() << " threads, baseline " << baseline;
}

TEST_F(ReflectorTest, EventsV1ReflectorDeliversTheNewKind) {
  Create("l.1");
  std::mutex mu;
  std::vector<std::string> notes;
  EventsV1Reflector r(
      NewEventsV1ListWatch(client_, "default"),
      [&](const Delta<api::events::v1::Event>& d) {
        std::lock_guard lock(mu);
        notes.push_back(d.object.note);
      },
      FastOptions());
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().watches == 1; }));
  Bump("l.1", 2);
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return notes.size() == 2;
  }));
  EXPECT_EQ(notes[0], "Back-off restarting failed container");
  EXPECT_EQ(r.Stats().modified, 1u);
}

TEST_F(ReflectorTest, KnownVersionsAreBounded) {
  for (int i = 0; i < 5; ++i) Create("m." + std::to_string(i));
  auto o = FastOptions();
  o.max_known_objects = 2;
  EventReflector r(NewEventListWatch(client_, "default"), std::ref(rec_), o);
  r.Start();
  ASSERT_TRUE(WaitUntil([&] { return rec_.size() == 5 && r.Stats().watches == 1; }));
  server_->InjectWatchBytes("garbage\n");  // re-list: the forgotten three come again
  ASSERT_TRUE(WaitUntil([&] { return r.Stats().relists == 1; }));
  const auto st = r.Stats();
  EXPECT_EQ(st.deduped, 2u);  // the two remembered
  EXPECT_EQ(st.added, 8u);    // the three forgotten come again, as ADDED from the re-list
}

}  // namespace
}  // namespace kube::cache

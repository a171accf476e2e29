// Request::Watch over real HTTPS against the local API server: frames of every type in
// order, bookmarks, 410 Gone as an ERROR frame, cut streams, garbage, Stop() and the
// cancellation token from another thread, the idle timeout, and non-2xx answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "kubeevents/api/common/logger.h"
#include "kubeevents/api/json.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/client/rest/watch.h"
#include "kubeevents/tools/localapiserver/server.h"

namespace kube::rest {
namespace {

using ::testing::HasSubstr;
namespace v1 = api::core::v1;

v1::Event NewEvent(const std::string& name) {
  v1::Event e;
  e.metadata.name = name;
  e.metadata.namespace_ = "default";
  e.involved_object = {"Pod", "default", "web-1", "u-1", "v1", "17", ""};
  e.reason = "Started";
  e.message = "Started container";
  e.type = "Normal";
  e.source = {"kubelet", "node-1"};
  e.count = 1;
  return e;
}

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    localapiserver::ServerOptions o;
    o.watch_bookmark_interval = std::chrono::milliseconds(0);
    server_ = std::make_unique<localapiserver::Server>(o);
    ASSERT_TRUE(server_->Start().ok());
    auto config = ParseKubeconfig(server_->KubeconfigYAML(), "local-apiserver");
    ASSERT_TRUE(config.ok()) << config.status();
    config->logger = std::make_shared<NullLogger>();
    config->qps = -1;
    config_ = *config;
    client_ = RESTClient::Create(config_).value();
  }

  v1::Event Create(const std::string& name) {
    auto r = client_->Post().Namespace("default").Resource("events").Body(NewEvent(name)).Do();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.Into<v1::Event>().value();
  }

  std::string ListRV() {
    auto list = client_->Get().Namespace("default").Resource("events").Do().Into<v1::EventList>();
    EXPECT_TRUE(list.ok()) << list.status();
    return list->metadata.resource_version;
  }

  Request WatchFrom(const std::string& rv) {
    Request r = client_->Get().Namespace("default").Resource("events");
    r.Param("resourceVersion", rv).Param("allowWatchBookmarks", "true");
    return r;
  }

  std::unique_ptr<localapiserver::Server> server_;
  Config config_;
  std::shared_ptr<RESTClient> client_;
};

TEST_F(WatchTest, StreamsAddedModifiedDeletedInOrder) {
  const std::string rv = ListRV();
  auto stream = WatchFrom(rv).Watch();
  ASSERT_TRUE(stream.ok()) << stream.status();
  auto created = Create("a.1");
  auto patched = client_->Patch(std::string(kStrategicMergePatchType))
                     .Namespace("default")
                     .Resource("events")
                     .Name("a.1")
                     .Body(std::string(R"({"count":2})"))
                     .Do();
  ASSERT_TRUE(patched.ok()) << patched.status();
  ASSERT_TRUE(client_->Delete().Namespace("default").Resource("events").Name("a.1").Do().ok());

  auto e1 = stream->Next();
  ASSERT_TRUE(e1.ok()) << e1.status();
  EXPECT_EQ(e1->type, WatchEventType::kAdded);
  EXPECT_EQ(DecodeCoreEvent(*e1)->metadata.uid, created.metadata.uid);
  auto e2 = stream->Next();
  ASSERT_TRUE(e2.ok()) << e2.status();
  EXPECT_EQ(e2->type, WatchEventType::kModified);
  EXPECT_EQ(DecodeCoreEvent(*e2)->count, 2);
  auto e3 = stream->Next();
  ASSERT_TRUE(e3.ok()) << e3.status();
  EXPECT_EQ(e3->type, WatchEventType::kDeleted);
  EXPECT_EQ(stream->frames_received(), 3u);
}

TEST_F(WatchTest, EventsV1WatchDecodesTheNewKind) {
  const std::string rv = ListRV();
  Request r =
      client_->Get().GroupVersion("events.k8s.io/v1").Namespace("default").Resource("events");
  r.Param("resourceVersion", rv);
  auto stream = r.Watch();
  ASSERT_TRUE(stream.ok()) << stream.status();
  Create("b.1");
  auto e = stream->Next();
  ASSERT_TRUE(e.ok()) << e.status();
  auto ev = DecodeEventsV1Event(*e);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(ev->metadata.name, "b.1");
  EXPECT_EQ(ev->reason, "Started");
  EXPECT_EQ(ev->note, "Started container");
}

TEST_F(WatchTest, BookmarksCarryTheCurrentResourceVersion) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok()) << stream.status();
  auto created = Create("c.1");
  server_->SendBookmarks();
  auto added = stream->Next();
  ASSERT_TRUE(added.ok());
  auto bookmark = stream->Next();
  ASSERT_TRUE(bookmark.ok()) << bookmark.status();
  EXPECT_EQ(bookmark->type, WatchEventType::kBookmark);
  EXPECT_EQ(DecodeResourceVersion(*bookmark).value(), created.metadata.resource_version);

  // Without allowWatchBookmarks no bookmark is sent.
  Request plain = client_->Get().Namespace("default").Resource("events");
  plain.Param("resourceVersion", ListRV());
  auto quiet = plain.Watch();
  ASSERT_TRUE(quiet.ok());
  server_->SendBookmarks();
  Create("c.2");
  auto next = quiet->Next();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->type, WatchEventType::kAdded);
}

TEST_F(WatchTest, TooOldResourceVersionIsA410ErrorFrame) {
  const std::string old_rv = ListRV();
  Create("d.1");
  server_->CompactHistory();
  auto stream = WatchFrom(old_rv).Watch();
  ASSERT_TRUE(stream.ok()) << stream.status();
  auto e = stream->Next();
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->type, WatchEventType::kError);
  Status s = ErrorEventStatus(*e);
  EXPECT_TRUE(IsResourceExpired(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("too old resource version: " + old_rv));
  auto end = stream->Next();
  EXPECT_TRUE(IsEndOfStream(end.status())) << end.status();
  // The current resourceVersion still works after the compaction.
  auto fresh = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(fresh.ok());
  Create("d.2");
  EXPECT_EQ(fresh->Next()->type, WatchEventType::kAdded);
}

TEST_F(WatchTest, ServerTimeoutEndsTheStreamCleanly) {
  Request r = WatchFrom(ListRV());
  r.Param("timeoutSeconds", "1");
  auto stream = r.Watch();
  ASSERT_TRUE(stream.ok());
  auto end = stream->Next();
  EXPECT_TRUE(IsEndOfStream(end.status())) << end.status();
}

TEST_F(WatchTest, CutStreamIsABrokenConnection) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok());
  Create("e.1");
  ASSERT_TRUE(stream->Next().ok());
  server_->CutWatches();
  auto broken = stream->Next();
  ASSERT_FALSE(broken.ok());
  EXPECT_FALSE(IsEndOfStream(broken.status())) << broken.status();
  EXPECT_EQ(broken.status().code(), StatusCode::kUnavailable) << broken.status();
  EXPECT_EQ(broken.status().origin(), ErrorOrigin::kTransport);
}

// A frame that arrives in two writes, the first ending mid-frame: the reader is not woken
// for the first piece and gets the event when the rest arrives.
TEST_F(WatchTest, AFrameSplitAcrossWritesArrivesWhenItsLastPieceDoes) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok());
  Create("h.1");
  ASSERT_TRUE(stream->Next().ok());
  const std::string frame = R"({"type":"ADDED","object":)" + api::ToJson(NewEvent("h.2")) + "}\n";
  const std::size_t cut = frame.size() / 2;
  server_->InjectWatchBytes(frame.substr(0, cut));
  std::thread rest([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server_->InjectWatchBytes(frame.substr(cut));
  });
  auto e = stream->Next();
  rest.join();
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, WatchEventType::kAdded);
  EXPECT_EQ(DecodeCoreEvent(*e)->metadata.name, "h.2");
  EXPECT_EQ(stream->frames_received(), 2u);
}

TEST_F(WatchTest, GarbageEndsTheWatchWithADecodeError) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok());
  Create("f.1");
  ASSERT_TRUE(stream->Next().ok());
  server_->InjectWatchBytes("<html>proxy error</html>\n");
  auto bad = stream->Next();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().origin(), ErrorOrigin::kDecode) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("expected '{'"));
}

TEST_F(WatchTest, StopFromAnotherThreadWakesNext) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok());
  auto pending = std::async(std::launch::async, [&] { return stream->Next(); });
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  stream->Stop();
  auto r = pending.get();
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  stream->Stop();  // idempotent
}

TEST_F(WatchTest, CancellationTokenStopsTheWatch) {
  std::stop_source source;
  Request r = WatchFrom(ListRV());
  r.Cancellation(source.get_token());
  auto stream = r.Watch();
  ASSERT_TRUE(stream.ok());
  std::jthread canceller([&] { source.request_stop(); });
  EXPECT_EQ(stream->Next().status().code(), StatusCode::kCancelled);

  std::stop_source already;
  already.request_stop();
  Request r2 = WatchFrom(ListRV());
  r2.Cancellation(already.get_token());
  EXPECT_EQ(r2.Watch().status().code(), StatusCode::kCancelled);
}

TEST_F(WatchTest, IdleTimeoutIsADeadlineError) {
  Request r = WatchFrom(ListRV());
  r.IdleTimeout(std::chrono::milliseconds(200));
  auto stream = r.Watch();
  ASSERT_TRUE(stream.ok());
  auto e = stream->Next();
  EXPECT_EQ(e.status().code(), StatusCode::kDeadlineExceeded) << e.status();
}

TEST_F(WatchTest, ConfigTimeoutBoundsOnlyTheStart) {
  config_.timeout = std::chrono::milliseconds(300);
  auto client = RESTClient::Create(config_).value();
  Request r = client->Get().Namespace("default").Resource("events");
  r.Param("resourceVersion", ListRV());
  auto stream = r.Watch();
  ASSERT_TRUE(stream.ok()) << stream.status();
  // Well past the 300 ms timeout, the stream still delivers.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  Create("g.1");
  auto e = stream->Next();
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, WatchEventType::kAdded);
}

TEST_F(WatchTest, Non2xxIsReturnedByWatch) {
  config_.bearer_token = "wrong";
  auto client = RESTClient::Create(config_).value();
  auto stream = client->Get().Namespace("default").Resource("events").Watch();
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().origin(), ErrorOrigin::kAPIServer) << stream.status();
  ASSERT_NE(stream.status().api_status(), nullptr);
  EXPECT_EQ(stream.status().api_status()->code, 401);
}

TEST_F(WatchTest, ServerDownIsATransportError) {
  server_->StopAccepting();
  Request r = WatchFrom("1");
  r.MaxRetries(0);
  auto stream = r.Watch();
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().origin(), ErrorOrigin::kTransport) << stream.status();
}

TEST_F(WatchTest, DestroyingTheClientEndsOpenWatches) {
  auto stream = WatchFrom(ListRV()).Watch();
  ASSERT_TRUE(stream.ok());
  client_.reset();
  auto e = stream->Next();
  EXPECT_EQ(e.status().code(), StatusCode::kCancelled) << e.status();
}

}  // namespace
}  // namespace kube::rest

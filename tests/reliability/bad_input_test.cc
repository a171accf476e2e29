// Bad input: each case ends in a clear error naming what was wrong (a log line with the cause,
// or a Status), is counted, and leaves the pipeline working: a good event afterwards is written.
#include <gtest/gtest.h>

#include "kubeevents/client/event_sink.h"
#include "kubeevents/client/rest/events_client.h"
#include "kubeevents/client/rest/kubeconfig.h"
#include "kubeevents/client/rest/rest_client.h"
#include "kubeevents/tools/events/event_broadcaster.h"
#include "kubeevents/tools/record/event_broadcaster.h"
#include "reliability_support.h"

namespace kube::reliability {
namespace {

using api::core::v1::ObjectReference;

ObjectReference Pod(const std::string& name) {
  return {"Pod", "reliability", name, "uid-" + name, "v1", "", ""};
}

// Both recorders behind one call shape: (object, type, reason, message, annotations).
class BadInputTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    logger_ = std::make_shared<CapturingLogger>();
    auto client = rest::RESTClient::Create(server_.Config(logger_));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *client;
    if (GetParam() == Kind::kCoreV1) {
      record::BroadcasterOptions o;
      o.sleep_duration = 10ms;
      o.logger = logger_;
      core_ = std::make_unique<record::EventBroadcaster>(std::move(o));
      core_->StartRecordingToSink(rest::NewCoreV1EventSink(client_));
      core_recorder_ = core_->NewRecorder({"reliability-test", "node-1"});
    } else {
      events::BroadcasterOptions o;
      o.logger = logger_;
      o.sleep_duration = 10ms;
      o.hostname = "node-1";
      events_ = std::make_unique<events::EventBroadcaster>(rest::NewEventsV1EventSink(client_),
                                                           std::move(o));
      ASSERT_TRUE(events_->StartRecordingToSink().ok());
      events_recorder_ = events_->NewRecorder("reliability.example.com/test");
    }
  }

  template <typename Obj>
  void Emit(const Obj& obj, std::string_view type, std::string_view reason,
            const std::string& message, const record::Annotations* annotations = nullptr) {
    ++calls_;
    if (core_recorder_) {
      if (annotations) {
        core_recorder_->AnnotatedEventf(obj, *annotations, type, reason, "%s", message);
      } else {
        core_recorder_->Eventf(obj, type, reason, "%s", message);
      }
    } else if (annotations) {
      events_recorder_->AnnotatedEventf(obj, nullptr, *annotations, type, reason, "Testing", "%s",
                                        message);
    } else {
      events_recorder_->Eventf(obj, nullptr, type, reason, "Testing", "%s", message);
    }
  }

  Accounting Stats() const {
    Accounting a;
    a.calls = calls_;
    auto fill = [&](const auto& s) {
      a.emitted = s.emitted;
      a.dropped_queue_full = s.dropped_queue_full;
      a.dropped_shutdown = s.dropped_shutdown;
      a.dropped_invalid = s.dropped_invalid;
      a.dropped_consumer_full = s.dropped_consumer_full;
      a.abandoned = s.abandoned;
      a.created = s.created;
      a.patched = s.patched;
      a.retries = s.retries;
      a.failed_rejected = s.failed_rejected;
      a.failed_quietly = s.failed_quietly;
      a.failed_request_building = s.failed_request_building;
      a.failed_retry_limit = s.failed_retry_limit;
      a.failed_shutdown = s.failed_shutdown;
    };
    if (core_) {
      const auto s = core_->Stats();
      fill(s);
      a.skipped = s.skipped_spam;
      a.aggregated = s.aggregated;
    } else {
      const auto s = events_->Stats();
      fill(s);
      a.series_observed = s.series_observed;
      a.dropped_pending_full = s.dropped_pending_full;
    }
    return a;
  }

  bool Flush() { return core_ ? core_->Flush(30s) : events_->Flush(30s); }

  void TearDown() override {
    if (HasFailure()) logger_->Dump();
  }

  // A good event after the bad one is written: the pipeline's state is intact.
  void ExpectStillWorking() {
    const auto before = Stats().created;
    Emit(Pod("good-" + std::to_string(calls_)), "Normal", "Fine", "all good");
    ASSERT_TRUE(Flush());
    EXPECT_EQ(Stats().created, before + 1) << Stats().ToString();
    ExpectAllAccounted(Stats(), server_.server().EventCount());
  }

  TestServer server_;
  std::shared_ptr<CapturingLogger> logger_;
  std::shared_ptr<rest::RESTClient> client_;
  std::unique_ptr<record::EventBroadcaster> core_;
  std::shared_ptr<record::EventRecorder> core_recorder_;
  std::unique_ptr<events::EventBroadcaster> events_;
  std::shared_ptr<events::EventRecorder> events_recorder_;
  std::uint64_t calls_ = 0;
};

TEST_P(BadInputTest, InvalidEventTypeIsDroppedNamingTheType) {
  Emit(Pod("a"), "Bogus", "Tested", "m");
  ASSERT_TRUE(Flush());
  EXPECT_EQ(Stats().dropped_invalid, 1u);
  EXPECT_EQ(logger_->CountContaining("Unsupported event type eventType=Bogus"), 1);
  ExpectStillWorking();
}

TEST_P(BadInputTest, EmptyReason) {
  Emit(Pod("a"), "Normal", "", "m");
  ASSERT_TRUE(Flush());
  const auto a = Stats();
  if (GetParam() == Kind::kCoreV1) {
    // core/v1 Events have no required reason (kube-apiserver accepts it); client-go sends it.
    EXPECT_EQ(a.created, 1u) << a.ToString();
  } else {
    // events.k8s.io/v1 requires one: the server's 422 names the field.
    EXPECT_EQ(a.failed_rejected, 1u) << a.ToString();
    EXPECT_EQ(logger_->CountContaining("reason: Required value"), 1);
  }
  ExpectStillWorking();
}

TEST_P(BadInputTest, MessageOverTheServersLimitIsRejectedByTheServerNotTruncated) {
  const std::string long_message(2000, 'x');
  Emit(Pod("a"), "Normal", "Tested", long_message);
  ASSERT_TRUE(Flush());
  const auto a = Stats();
  if (GetParam() == Kind::kCoreV1) {
    // core/v1 has no message limit short of the request size: 2000 bytes are stored whole, a
    // 4 MiB message is refused with 413 naming the limit.
    EXPECT_EQ(a.created, 1u) << a.ToString();
    Emit(Pod("b"), "Normal", "Tested", std::string(4u << 20, 'y'));
    ASSERT_TRUE(Flush());
    EXPECT_EQ(Stats().failed_rejected, 1u) << Stats().ToString();
    EXPECT_EQ(logger_->CountContaining("Request entity too large: limit is 3145728"), 1);
  } else {
    // events.k8s.io/v1 notes are limited to 1024 bytes; we do not truncate: the 422 says so.
    EXPECT_EQ(a.failed_rejected, 1u) << a.ToString();
    EXPECT_EQ(logger_->CountContaining("can have at most 1024 characters"), 1);
  }
  ExpectStillWorking();
}

TEST_P(BadInputTest, ObjectWithoutKindIsDroppedNamingTheProblem) {
  Emit(api::JsonObject{R"({"apiVersion":"v1","metadata":{"name":"x","namespace":"reliability"}})"},
       "Normal", "Tested", "m");
  ASSERT_TRUE(Flush());
  EXPECT_EQ(Stats().dropped_invalid, 1u) << Stats().ToString();
  EXPECT_EQ(logger_->CountContaining("kind"), 1);
  ExpectStillWorking();
}

// Not an error, as in client-go: a reference without a name is legitimate (a list has none), and
// since "<name>.<hex time>" would not be a valid name the event is named with a UUID.
TEST_P(BadInputTest, ObjectWithoutNameIsWrittenUnderAUuidLikeClientGo) {
  Emit(
      api::JsonObject{R"({"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"reliability"}})"},
      "Normal", "Tested", "nameless");
  ASSERT_TRUE(Flush());
  EXPECT_EQ(Stats().created, 1u) << Stats().ToString();
  rest::CoreV1EventsClient events(client_, "reliability");
  auto list = events.List({.field_selector = "involvedObject.name="});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].metadata.name.size(), 36u) << list->items[0].metadata.name;
  EXPECT_EQ(list->items[0].metadata.name[8], '-') << list->items[0].metadata.name;
  ExpectStillWorking();
}

TEST_P(BadInputTest, InvalidUtf8InTheMessageIsWrittenWithReplacementCharacters) {
  Emit(Pod("a"), "Normal", "Tested", "bad \xff\xfe bytes");
  ASSERT_TRUE(Flush());
  EXPECT_EQ(Stats().created, 1u) << Stats().ToString();
  rest::CoreV1EventsClient events(client_, "reliability");
  auto list = events.List({.field_selector = "involvedObject.name=a"});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].message, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");  // as Go's encoder
  ExpectStillWorking();
}

TEST_P(BadInputTest, HugeAnnotationMapIsRejectedByTheServerNamingTheField) {
  record::Annotations annotations;
  for (int i = 0; i < 300; ++i) {
    annotations["example.com/key-" + std::to_string(i)] = std::string(1024, 'v');
  }
  Emit(Pod("a"), "Normal", "Tested", "m", &annotations);
  ASSERT_TRUE(Flush());
  EXPECT_EQ(Stats().failed_rejected, 1u) << Stats().ToString();
  EXPECT_EQ(logger_->CountContaining("metadata.annotations: Too long"), 1);
  ExpectStillWorking();
}

INSTANTIATE_TEST_SUITE_P(BothRecorders, BadInputTest,
                         ::testing::Values(Kind::kCoreV1, Kind::kEventsV1),
                         [](const auto& info) { return KindName(info.param); });

// ---- configuration and credentials: errors at the boundary, naming file and field ----

TEST(BadConfigTest, MalformedKubeconfigNamesTheFileAndTheProblem) {
  auto broken = rest::ParseKubeconfig("clusters: [ {name: a", "/tmp/broken.kubeconfig");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(broken.status().message().find("/tmp/broken.kubeconfig"), std::string::npos)
      << broken.status();
  auto wrong_type = rest::ParseKubeconfig(
      "apiVersion: v1\nkind: Config\nclusters: 5\ncurrent-context: x\n", "/tmp/t.kubeconfig");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("clusters"), std::string::npos)
      << wrong_type.status();
}

TEST(BadConfigTest, UnreadableOrInvalidCertificateFilesNameTheFile) {
  TestServer server;
  auto config = server.Config();
  config.tls.cert_file = "/nonexistent/client.crt";
  config.tls.key_file = "/nonexistent/client.key";
  auto missing = rest::RESTClient::Create(config);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/client."), std::string::npos)
      << missing.status();

  const std::string garbage = WriteTempFile("garbage.crt", "this is not PEM\n");
  config.tls.cert_file = garbage;
  config.tls.key_file = garbage;
  auto invalid = rest::RESTClient::Create(config);
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.status().message().find(garbage), std::string::npos) << invalid.status();
}

rest::Config WithExecPlugin(const rest::Config& base, const std::string& script_body,
                            std::chrono::milliseconds timeout) {
  rest::Config c = base;
  c.bearer_token.clear();
  c.exec_provider = rest::ExecConfig{
      .command = WriteTempFile("plugin.sh", "#!/bin/sh\n" + script_body, 0700), .timeout = timeout};
  return c;
}

TEST(BadConfigTest, ExecPluginThatHangsTimesOutWithAClearError) {
  TestServer server;
  auto client = rest::RESTClient::Create(WithExecPlugin(server.Config(), "exec sleep 60\n", 500ms));
  ASSERT_TRUE(client.ok()) << client.status();
  const auto start = std::chrono::steady_clock::now();
  auto r = (*client)->Get().Namespace("default").Resource("events").Do();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  ASSERT_FALSE(r.status().ok());
  EXPECT_NE(r.status().message().find("plugin.sh"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("did not finish within 500ms and was killed"),
            std::string::npos)
      << r.status();
}

TEST(BadConfigTest, ExecPluginThatPrintsGarbageFailsWithAClearError) {
  TestServer server;
  auto client = rest::RESTClient::Create(
      WithExecPlugin(server.Config(), "echo 'hello, I am not JSON'\n", 10s));
  ASSERT_TRUE(client.ok()) << client.status();
  auto r = (*client)->Get().Namespace("default").Resource("events").Do();
  ASSERT_FALSE(r.status().ok());
  EXPECT_NE(r.status().message().find("plugin.sh"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("decod"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace kube::reliability

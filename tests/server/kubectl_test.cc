// End to end with the real kubectl: what was written through both APIs is what
// `kubectl get events -A -o json` and `kubectl events -A` list. Skipped (visibly) when
// kubectl is not installed.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "command.h"
#include "kubeevents/api/core/v1/event.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/server.h"
#include "test_client.h"

namespace kube::localapiserver {
namespace {

using kube::localapiserver::test_support::FindOnPath;
using kube::localapiserver::test_support::RunCommand;

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// A child process (`/bin/sh -c cmd`) whose stdout+stderr is read incrementally; killed and
// reaped by the destructor. For commands that do not end by themselves (`kubectl get -w`).
class Child {
 public:
  explicit Child(const std::string& cmd) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string c = cmd;
    char sh[] = "/bin/sh";
    char dash_c[] = "-c";
    char* argv[] = {sh, dash_c, c.data(), nullptr};
    if (::posix_spawn(&pid_, "/bin/sh", &actions, nullptr, argv, environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Reads until the output contains `text` (true) or `limit` passes / the output ends.
  bool WaitFor(const std::string& text, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (output_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || fd_ < 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return output_.find(text) != std::string::npos;
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubectl_ = FindOnPath("kubectl");
    if (kubectl_.empty()) GTEST_SKIP() << "kubectl not found on PATH: end-to-end check skipped";
    dir_ = fs::temp_directory_path() / ("kla-kubectl-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(server_.Start().ok());
    ASSERT_TRUE(server_.WriteKubeconfig((dir_ / "kubeconfig").string()).ok());
  }
  void TearDown() override {
    server_.Stop();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string Kubectl(const std::string& args) {
    return kubectl_ + " --kubeconfig " + (dir_ / "kubeconfig").string() + " --cache-dir " +
           (dir_ / "cache").string() + " --request-timeout=20s " + args;
  }

  std::string kubectl_;
  fs::path dir_;
  Server server_;
};

TEST_F(KubectlTest, ListsWhatWasWrittenThroughBothApis) {
  testing::TestClient c(server_.https_port(), server_.ca_pem(), server_.token());
  auto core = c.Do(
      "POST", "/api/v1/namespaces/default/events",
      R"({"metadata":{"name":"web-1.17ab"},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-1","uid":"u-1","apiVersion":"v1"},"reason":"Started","message":"Started container app","type":"Normal","source":{"component":"kubelet","host":"node1"},"firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1})");
  ASSERT_EQ(core.status, 201) << core.body;
  auto newer = c.Do(
      "POST", "/apis/events.k8s.io/v1/namespaces/apps/events",
      R"({"metadata":{"name":"db-0.17ac"},"eventTime":"2024-05-01T10:00:03.123456Z","reportingController":"example.com/operator","reportingInstance":"operator-host","action":"Scaling","reason":"Scaled","regarding":{"kind":"StatefulSet","namespace":"apps","name":"db","uid":"u-2","apiVersion":"apps/v1"},"note":"Scaled db to 3 replicas","type":"Warning"})");
  ASSERT_EQ(newer.status, 201) << newer.body;

  auto [rc, out] = RunCommand(Kubectl("get events -A -o json"));
  ASSERT_EQ(rc, 0) << out;
  auto list = api::FromJson<api::core::v1::EventList>(out);
  ASSERT_TRUE(list.ok()) << list.status() << "\n" << out;
  ASSERT_EQ(list->items.size(), 2u) << out;
  EXPECT_EQ(list->items[0].metadata.namespace_, "apps");
  EXPECT_EQ(list->items[0].message, "Scaled db to 3 replicas");
  EXPECT_EQ(list->items[0].reporting_controller, "example.com/operator");
  EXPECT_EQ(list->items[1].metadata.name, "web-1.17ab");
  EXPECT_EQ(list->items[1].source.component, "kubelet");

  auto [rc2, table] = RunCommand(Kubectl("events -A"));
  ASSERT_EQ(rc2, 0) << table;
  EXPECT_THAT(table, HasSubstr("Started container app"));
  EXPECT_THAT(table, HasSubstr("Scaled db to 3 replicas"));
  EXPECT_THAT(table, HasSubstr("StatefulSet/db"));
  EXPECT_THAT(table, HasSubstr("Warning"));

  auto [rc3, selected] =
      RunCommand(Kubectl("get events -n apps --field-selector involvedObject.name=db -o name"));
  ASSERT_EQ(rc3, 0) << selected;
  EXPECT_EQ(selected, "event/db-0.17ac\n");
}

TEST_F(KubectlTest, WatchReceivesACreatedEvent) {
  testing::TestClient c(server_.https_port(), server_.ca_pem(), server_.token());
  const std::string body =
      R"({"metadata":{"name":"NAME"},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-1","uid":"u-1","apiVersion":"v1"},"reason":"BackOff","message":"MESSAGE","type":"Warning","source":{"component":"kubelet","host":"node1"},"count":1})";
  auto with = [&](const std::string& name, const std::string& message) {
    std::string b = body;
    b.replace(b.find("NAME"), 4, name);
    b.replace(b.find("MESSAGE"), 7, message);
    return b;
  };
  ASSERT_EQ(
      c.Do("POST", "/api/v1/namespaces/default/events", with("before.1", "listed first")).status,
      201);
  Child watch(Kubectl("get events -n default -w -o json"));
  // The list comes first; the watch then starts from the list's resourceVersion, so an event
  // created after the list is printed arrives whenever the watch request is made.
  ASSERT_TRUE(watch.WaitFor("listed first", std::chrono::seconds(30))) << watch.output();
  ASSERT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", with("after.1", "seen by the watch"))
                .status,
            201);
  // kubectl prints keys sorted, so "message" comes before "metadata"; the object's name is the
  // later of the two and arrives last (a pipe read can end between them).
  ASSERT_TRUE(watch.WaitFor("\"name\": \"after.1\"", std::chrono::seconds(30))) << watch.output();
  EXPECT_THAT(watch.output(), HasSubstr("seen by the watch"));
}

TEST_F(KubectlTest, RejectsRequestsWithoutTheToken) {
  auto [rc, out] = RunCommand(kubectl_ + " --server " + server_.HttpsURL() +
                              " --insecure-skip-tls-verify --token=wrong --cache-dir " +
                              (dir_ / "cache2").string() + " get events -A");
  EXPECT_NE(rc, 0);
  EXPECT_THAT(out, HasSubstr("You must be logged in to the server"));
}

// Reads a whole file ("" when absent).
std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` every 50 ms until it holds or `limit` passes (machine load must not fail it).
template <class F>
bool WaitFor(F done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Client-side validation: kubectl reads /openapi/v3, sees that the server checks fields
// itself and sends fieldValidation=Strict; no --validate=false needed.
TEST_F(KubectlTest, CreateValidatesThroughTheServersOpenAPI) {
  const fs::path good = dir_ / "good.yaml";
  std::ofstream(good) << "apiVersion: v1\nkind: Event\nmetadata:\n  name: web-0.1\n"
                         "involvedObject:\n  kind: Pod\n  name: web-0\n  namespace: default\n"
                         "reason: Started\nmessage: hello\ntype: Normal\n";
  auto [rc, out] = RunCommand(Kubectl("create -f " + good.string()));
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "event/web-0.1 created\n");

  const fs::path bad = dir_ / "bad.yaml";
  std::ofstream(bad) << "apiVersion: v1\nkind: Event\nmetadata:\n  name: web-0.2\n"
                        "involvedObject:\n  kind: Pod\n  name: web-0\n  namespace: default\n"
                        "  colour: red\nreason: Started\nmessage: hello\nbogus: 1\n";
  auto [rc2, out2] = RunCommand(Kubectl("create -f " + bad.string()));
  EXPECT_NE(rc2, 0);
  // (kubectl sends the YAML as JSON with sorted keys.)
  EXPECT_THAT(out2, HasSubstr("Event in version \"v1\" cannot be handled as a Event: strict "
                              "decoding error: unknown field \"bogus\", unknown field "
                              "\"involvedObject.colour\""));
  EXPECT_EQ(server_.EventCount(), 1u);
  auto [rc3, out3] = RunCommand(Kubectl("create --validate=warn -f " + bad.string()));
  EXPECT_EQ(rc3, 0) << out3;
  EXPECT_THAT(out3, HasSubstr("Warning: unknown field \"bogus\""));
  EXPECT_THAT(out3, HasSubstr("event/web-0.2 created"));

  auto [rc4, explain] = RunCommand(Kubectl("explain events.involvedObject"));
  EXPECT_EQ(rc4, 0) << explain;
  EXPECT_THAT(explain, HasSubstr("The object this event is about."));
}

// --sort-by asks for includeObject=Object and sorts the rows by the objects' fields.
TEST_F(KubectlTest, SortsByLastTimestamp) {
  testing::TestClient c(server_.https_port(), server_.ca_pem(), server_.token());
  for (const auto& [name, ts] :
       {std::pair{"later", "2024-05-01T10:05:00Z"}, std::pair{"earlier", "2024-05-01T10:00:00Z"}}) {
    auto r = c.Do(
        "POST", "/api/v1/namespaces/default/events",
        std::string(R"({"metadata":{"name":")") + name +
            R"("},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-0"},"reason":"R","message":"msg-)" +
            name + R"(","type":"Normal","firstTimestamp":")" + ts + R"(","lastTimestamp":")" + ts +
            R"(","count":1})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto [rc, out] = RunCommand(Kubectl("get events --sort-by=.lastTimestamp"));
  ASSERT_EQ(rc, 0) << out;
  ASSERT_THAT(out, HasSubstr("msg-earlier"));
  ASSERT_THAT(out, HasSubstr("msg-later"));
  EXPECT_LT(out.find("msg-earlier"), out.find("msg-later")) << out;
  auto [rc2, desc] = RunCommand(Kubectl("get events --sort-by=.metadata.name -o wide"));
  ASSERT_EQ(rc2, 0) << desc;
  EXPECT_LT(desc.find("msg-earlier"), desc.find("msg-later")) << desc;
}

// `kubectl get events -w`: the list, then each change as a row under the same header.
TEST_F(KubectlTest, WatchPrintsRowsUnderTheEventColumns) {
  testing::TestClient c(server_.https_port(), server_.ca_pem(), server_.token());
  const std::string event =
      R"({"metadata":{"name":"NAME"},"involvedObject":{"kind":"Pod","namespace":"default","name":"web-0"},"reason":"Pulled","message":"MSG","type":"Normal","firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1})";
  auto with = [&](std::string name, std::string msg) {
    std::string e = event;
    e.replace(e.find("NAME"), 4, name);
    e.replace(e.find("MSG"), 3, msg);
    return e;
  };
  ASSERT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", with("a", "listed-first")).status,
            201);
  const fs::path out = dir_ / "watch.out";
  const fs::path pid = dir_ / "watch.pid";
  // In the background; its pid is kept to end it (timeout bounds it if the test dies).
  ASSERT_EQ(std::system(("sh -c 'echo $$ > " + pid.string() + "; exec timeout 60 " +
                         Kubectl("get events -w") + " > " + out.string() + " 2>&1' &")
                            .c_str()),
            0);
  ASSERT_TRUE(WaitFor([&] { return ReadFile(out).find("listed-first") != std::string::npos; }))
      << ReadFile(out);
  // kubectl opens the watch right after printing the list; a change arrives either way (the
  // watch starts at the list's resourceVersion).
  ASSERT_EQ(c.Do("POST", "/api/v1/namespaces/default/events", with("b", "watched-second")).status,
            201);
  const bool seen =
      WaitFor([&] { return ReadFile(out).find("watched-second") != std::string::npos; });
  const std::string text = ReadFile(out);
  if (const std::string p = ReadFile(pid); !p.empty()) ::kill(std::stoi(p), SIGTERM);
  ASSERT_TRUE(seen) << text;
  EXPECT_THAT(text, HasSubstr("LAST SEEN"));
  EXPECT_EQ(text.find("LAST SEEN"), text.rfind("LAST SEEN")) << "one header:\n" << text;
  EXPECT_THAT(text, Not(HasSubstr("NAME")));
  EXPECT_THAT(text, ::testing::ContainsRegex("Normal +Pulled +pod/web-0 +watched-second"));
}

// Resources this server does not serve: kubectl says so from discovery, the server's own 404
// names what it serves.
TEST_F(KubectlTest, UnservedResourcesSaySo) {
  auto [rc, out] = RunCommand(Kubectl("get pods"));
  EXPECT_NE(rc, 0);
  EXPECT_THAT(out, HasSubstr("the server doesn't have a resource type \"pods\""));
  auto [rc2, raw] = RunCommand(Kubectl("get --raw /api/v1/namespaces/default/pods"));
  EXPECT_NE(rc2, 0);
  EXPECT_THAT(raw, HasSubstr("kube-local-apiserver does not serve \"pods\""));
}

}  // namespace
}  // namespace kube::localapiserver

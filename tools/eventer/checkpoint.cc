#include "kubeevents/tools/eventer/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/client/rest/internal/url.h"

namespace kube::eventer {

std::string CheckpointKey(const std::string& namespace_, const std::string& field_selector) {
  return (namespace_.empty() ? std::string("*") : namespace_) + "|" + field_selector;
}

StatusOr<CheckpointState> ReadCheckpoint(const std::string& path) {
  auto read = rest::internal::ReadFile(path);
  if (!read.ok()) {
    if (read.status().code() == StatusCode::kNotFound) return CheckpointState{};
    return Status(StatusCode::kDataLoss,
                  path + ": cannot read the checkpoint: " + read.status().message());
  }
  const std::string& body = *read;
  auto corrupt = [&](const std::string& why) {
    return Status(StatusCode::kDataLoss, path + ": corrupt checkpoint: " + why);
  };
  // The codec's parse: iterative (a corrupt, deeply nested file cannot overflow the stack),
  // depth-checked, a NUL byte rejected; its error names the offset.
  auto parsed = api::internal::ParseDocument(body);
  if (!parsed) return corrupt(parsed.status().message());
  const rapidjson::Document& doc = *parsed;
  if (!doc.IsObject()) return corrupt("not a JSON object");
  auto v = doc.FindMember("version");
  if (v == doc.MemberEnd() || !v->value.IsInt() || v->value.GetInt() != 1) {
    return corrupt("missing or unsupported \"version\" (want 1)");
  }
  auto w = doc.FindMember("watches");
  if (w == doc.MemberEnd() || !w->value.IsObject()) return corrupt("missing \"watches\" object");
  CheckpointState state;
  for (auto& m : w->value.GetObject()) {
    if (!m.value.IsString())
      return corrupt("watch \"" + std::string(m.name.GetString()) +
                     "\": resourceVersion is not a string");
    state[m.name.GetString()] = m.value.GetString();
  }
  return state;
}

Status WriteCheckpoint(const std::string& path, const CheckpointState& state) {
  std::string out;
  api::internal::JsonWriter w(out);
  w.StartObject();
  w.Key("version");
  w.Int(1);
  w.Key("watches");
  w.StartObject();
  for (const auto& [k, rv] : state) {
    w.Key(k);
    w.String(rv);
  }
  w.EndObject();
  w.EndObject();
  out += '\n';

  const std::string tmp = path + ".tmp";
  auto fail = [&](const char* what) {
    const int err = errno;
    return Status(StatusCode::kUnavailable,
                  path + ": cannot write the checkpoint (" + what + "): " + std::strerror(err));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("open");
  std::size_t off = 0;
  while (off < out.size()) {
    const ssize_t n = ::write(fd, out.data() + off, out.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = fail("write");
      ::close(fd);
      return s;
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = fail("fsync");
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status();
}

}  // namespace kube::eventer

#include "kubeevents/tools/localapiserver/internal/openapi.h"

#include <openssl/evp.h>
#include <rapidjson/document.h>

#include <deque>
#include <set>
#include <unordered_map>

#include "kubeevents/api/errors/errors.h"
#include "kubeevents/api/internal/json_codec.h"
#include "kubeevents/api/internal/json_writer.h"
#include "kubeevents/api/json.h"
#include "kubeevents/tools/localapiserver/internal/validation.h"

namespace kube::localapiserver::internal {

namespace {

namespace errors = api::errors;
using api::internal::JsonWriter;

constexpr std::string_view kV3SchemaPrefix = "#/components/schemas/";
constexpr std::string_view kV2SchemaPrefix = "#/definitions/";

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

std::string UpperHexSHA512(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha512(), nullptr);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

// Whether an Accept header allows JSON (empty = anything).
bool AcceptsJson(std::string_view accept) {
  if (accept.empty()) return true;
  std::size_t start = 0;
  while (start <= accept.size()) {
    const auto comma = accept.find(',', start);
    auto range = accept.substr(start, comma == std::string_view::npos ? comma : comma - start);
    range = range.substr(0, range.find(';'));
    while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
    while (!range.empty() && range.back() == ' ') range.remove_suffix(1);
    if (range == "application/json" || range == "*/*" || range == "application/*") return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

// "CoreV1", "EventsV1", "CoordinationV1": the operationId infix kube-apiserver uses.
std::string GroupVersionId(const OpenAPIGroupVersion& gv) {
  std::string g = gv.group.empty() ? "core" : gv.group.substr(0, gv.group.find('.'));
  std::string v = gv.version;
  if (!g.empty()) g[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(g[0])));
  if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return g + v;
}

std::string Tag(const OpenAPIGroupVersion& gv) {
  std::string g = gv.group.empty() ? "core" : gv.group.substr(0, gv.group.find('.'));
  return g + "_" + gv.version;
}

struct Param {
  const char* name;
  const char* in;
  const char* description;
  const char* type;  // "string", "integer", "boolean"
  bool required = false;
};

const Param kNamespace{"namespace", "path",
                       "object name and auth scope, such as for teams and projects", "string",
                       true};
const Param kName{"name", "path", "name of the Event", "string", true};
const Param kPretty{"pretty", "query", "If 'true', then the output is pretty printed.", "string"};
const Param kDryRun{"dryRun", "query",
                    "When present, indicates that modifications should not be persisted. The "
                    "only valid value is All.",
                    "string"};
const Param kFieldManager{"fieldManager", "query",
                          "A name associated with the actor making the change.", "string"};
const Param kFieldValidation{
    "fieldValidation", "query",
    "How the server handles unknown or duplicate fields in the body: Ignore (drop them "
    "silently), Warn (drop them and answer a Warning header per field) or Strict (fail the "
    "request with BadRequest naming every one).",
    "string"};
const Param kFieldSelector{"fieldSelector", "query",
                           "A selector restricting the returned objects by their fields.",
                           "string"};
const Param kLabelSelector{"labelSelector", "query",
                           "A selector restricting the returned objects by their labels.",
                           "string"};
const Param kLimit{"limit", "query", "The maximum number of objects in one list answer.",
                   "integer"};
const Param kContinue{"continue", "query", "The continue token of the previous page.", "string"};
const Param kResourceVersion{"resourceVersion", "query",
                             "Watch changes after this resource version.", "string"};
const Param kTimeoutSeconds{"timeoutSeconds", "query", "End the watch after this many seconds.",
                            "integer"};
const Param kWatch{"watch", "query", "Watch for changes instead of listing.", "boolean"};
const Param kPropagationPolicy{"propagationPolicy", "query",
                               "Orphan, Background or Foreground garbage collection.", "string"};
const Param kGracePeriod{"gracePeriodSeconds", "query", "Seconds before the object is deleted.",
                         "integer"};

// Writes the documents (v3 per group version, or one v2 document).
class Writer {
 public:
  Writer(JsonWriter& w, bool v2) : w_(w), v2_(v2) {}

  void Parameter(const Param& p) {
    w_.StartObject();
    w_.Key("name");
    w_.String(p.name);
    w_.Key("in");
    w_.String(p.in);
    w_.Key("description");
    w_.String(p.description);
    if (p.required) {
      w_.Key("required");
      w_.Bool(true);
    }
    if (v2_) {
      w_.Key("type");
      w_.String(p.type);
      w_.Key("uniqueItems");
      w_.Bool(true);
    } else {
      w_.Key("schema");
      w_.StartObject();
      w_.Key("type");
      w_.String(p.type);
      w_.Key("uniqueItems");
      w_.Bool(true);
      w_.EndObject();
    }
    w_.EndObject();
  }

  void Ref(std::string_view component) {
    w_.StartObject();
    w_.Key("$ref");
    w_.String(std::string(v2_ ? kV2SchemaPrefix : kV3SchemaPrefix) + std::string(component));
    w_.EndObject();
  }

  // One operation: verb is the HTTP method ("get", "post", ...), action the
  // x-kubernetes-action, body the request body's component ("" = none).
  void Operation(const OpenAPIGroupVersion& gv, const OpenAPIResource& r, const char* verb,
                 const std::string& id, const char* action, const char* description,
                 std::initializer_list<Param> params, std::string_view body,
                 std::initializer_list<const char*> body_types, std::string_view response,
                 std::initializer_list<const char*> codes) {
    w_.Key(verb);
    w_.StartObject();
    w_.Key("tags");
    w_.StartArray();
    w_.String(Tag(gv));
    w_.EndArray();
    w_.Key("description");
    w_.String(description);
    w_.Key("operationId");
    w_.String(id);
    if (v2_) {
      w_.Key("consumes");
      w_.StartArray();
      for (const char* t : body_types) w_.String(t);
      if (body_types.size() == 0) w_.String("*/*");
      w_.EndArray();
      w_.Key("produces");
      w_.StartArray();
      w_.String("application/json");
      w_.EndArray();
      w_.Key("schemes");
      w_.StartArray();
      w_.String("https");
      w_.EndArray();
    }
    if (params.size() > 0 || (v2_ && !body.empty())) {
      w_.Key("parameters");
      w_.StartArray();
      if (v2_ && !body.empty()) {
        w_.StartObject();
        w_.Key("name");
        w_.String("body");
        w_.Key("in");
        w_.String("body");
        w_.Key("required");
        w_.Bool(std::string_view(verb) != "delete");
        w_.Key("schema");
        Ref(body);
        w_.EndObject();
      }
      for (const auto& p : params) Parameter(p);
      w_.EndArray();
    }
    if (!v2_ && !body.empty()) {
      w_.Key("requestBody");
      w_.StartObject();
      w_.Key("content");
      w_.StartObject();
      for (const char* t : body_types) {
        w_.Key(t);
        w_.StartObject();
        w_.Key("schema");
        Ref(body);
        w_.EndObject();
      }
      w_.EndObject();
      w_.Key("required");
      w_.Bool(std::string_view(verb) != "delete");
      w_.EndObject();
    }
    w_.Key("responses");
    w_.StartObject();
    for (const char* code : codes) {
      w_.Key(code);
      w_.StartObject();
      const std::string_view c = code;
      w_.Key("description");
      w_.String(c == "200" ? "OK" : c == "201" ? "Created" : "Accepted");
      if (v2_) {
        w_.Key("schema");
        Ref(response);
      } else {
        w_.Key("content");
        w_.StartObject();
        w_.Key("application/json");
        w_.StartObject();
        w_.Key("schema");
        Ref(response);
        w_.EndObject();
        w_.EndObject();
      }
      w_.EndObject();
    }
    w_.Key("401");
    w_.StartObject();
    w_.Key("description");
    w_.String("Unauthorized");
    w_.EndObject();
    w_.EndObject();
    w_.Key("x-kubernetes-action");
    w_.String(action);
    w_.Key("x-kubernetes-group-version-kind");
    w_.StartObject();
    w_.Key("group");
    w_.String(gv.group);
    w_.Key("kind");
    w_.String(r.kind);
    w_.Key("version");
    w_.String(gv.version);
    w_.EndObject();
    w_.EndObject();
  }

  void PathParams(std::initializer_list<Param> params) {
    w_.Key("parameters");
    w_.StartArray();
    for (const auto& p : params) Parameter(p);
    w_.EndArray();
  }

  void Paths(const OpenAPIGroupVersion& gv) {
    const std::string prefix = "/" + gv.Path();
    const std::string gvid = GroupVersionId(gv);
    const std::string status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
    const std::string delete_options = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
    const std::string patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    for (const auto& r : gv.resources) {
      const std::string scope = r.namespaced ? "Namespaced" : "";
      const std::string base =
          r.namespaced ? prefix + "/namespaces/{namespace}/" + r.plural : prefix + "/" + r.plural;
      if (r.namespaced) {
        w_.Key(prefix + "/" + r.plural);
        w_.StartObject();
        Operation(gv, r, "get", "list" + gvid + r.kind + "ForAllNamespaces", "list",
                  "list or watch objects of this kind across namespaces",
                  {kContinue, kFieldSelector, kLabelSelector, kLimit, kResourceVersion,
                   kTimeoutSeconds, kWatch},
                  "", {}, r.list_schema, {"200"});
        PathParams({kPretty});
        w_.EndObject();
      }
      w_.Key(base);
      w_.StartObject();
      Operation(gv, r, "get", "list" + gvid + scope + r.kind, "list",
                "list or watch objects of this kind",
                {kContinue, kFieldSelector, kLabelSelector, kLimit, kResourceVersion,
                 kTimeoutSeconds, kWatch},
                "", {}, r.list_schema, {"200"});
      Operation(gv, r, "post", "create" + gvid + scope + r.kind, "post", "create an object",
                {kDryRun, kFieldManager, kFieldValidation}, r.schema, {"*/*"}, r.schema,
                {"200", "201", "202"});
      Operation(gv, r, "delete", "deletecollection" + gvid + scope + r.kind, "deletecollection",
                "delete a collection of objects",
                {kDryRun, kFieldSelector, kLabelSelector, kPropagationPolicy}, delete_options,
                {"*/*"}, status, {"200"});
      if (r.namespaced) {
        PathParams({kNamespace, kPretty});
      } else {
        PathParams({kPretty});
      }
      w_.EndObject();

      w_.Key(base + "/{name}");
      w_.StartObject();
      Operation(gv, r, "get", "read" + gvid + scope + r.kind, "get", "read the specified object",
                {}, "", {}, r.schema, {"200"});
      Operation(gv, r, "put", "replace" + gvid + scope + r.kind, "put",
                "replace the specified object", {kDryRun, kFieldManager, kFieldValidation},
                r.schema, {"*/*"}, r.schema, {"200", "201"});
      Operation(gv, r, "patch", "patch" + gvid + scope + r.kind, "patch",
                "partially update the specified object", {kDryRun, kFieldManager, kFieldValidation},
                patch, {"application/merge-patch+json", "application/strategic-merge-patch+json"},
                r.schema, {"200"});
      Operation(gv, r, "delete", "delete" + gvid + scope + r.kind, "delete",
                "delete the specified object", {kDryRun, kGracePeriod, kPropagationPolicy},
                delete_options, {"*/*"}, status, {"200", "202"});
      if (r.namespaced) {
        PathParams({kName, kNamespace, kPretty});
      } else {
        PathParams({kName, kPretty});
      }
      w_.EndObject();
    }
  }

  void Schemas(const std::vector<std::pair<std::string, std::string>>& schemas) {
    std::set<std::string> seen;
    for (const auto& [name, schema] : schemas) {
      if (!seen.insert(name).second) continue;
      w_.Key(name);
      w_.Raw(v2_ ? ReplaceAll(schema, kV3SchemaPrefix, kV2SchemaPrefix) : schema);
    }
  }

 private:
  JsonWriter& w_;
  const bool v2_;
};

void Info(JsonWriter& w, const std::string& server_version) {
  w.Key("info");
  w.StartObject();
  w.Key("title");
  w.String("Kubernetes");
  w.Key("version");
  w.String(server_version);
  w.EndObject();
}

std::vector<std::pair<std::string, std::string>> AllSchemas(const OpenAPIGroupVersion& gv) {
  auto all = MetaOpenAPISchemas();
  all.insert(all.end(), gv.schemas.begin(), gv.schemas.end());
  return all;
}

std::string NotFound() {
  auto st = errors::NewGeneric(errors::kReasonNotFound, 404,
                               "the server could not find the requested resource");
  st.has_details = true;
  return api::ToJson(st);
}

}  // namespace

std::string OpenAPIGroupVersion::Path() const {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

// The parsed component schemas, per group version, for the field walk.
struct OpenAPI::Schemas {
  // A schema as the walk needs it, compiled once: its $ref/allOf chain already followed and
  // its properties in a hash map, so checking a field is one lookup, not scans of the
  // schema's members (RapidJSON's FindMember compares names one by one). A null Node* is a
  // schema that checks nothing (unresolvable, or not an object).
  struct Node {
    bool has_props = false;  // "properties": members not listed are unknown
    std::unordered_map<std::string_view, const Node*> props;  // names point into the schemas
    const Node* additional = nullptr;  // "additionalProperties", when there are no properties
    const Node* items = nullptr;       // "items" of an array
  };

  struct GroupVersion {
    std::map<std::string, rapidjson::Document, std::less<>> components;
    std::map<std::string, std::string, std::less<>> kinds;              // kind → component
    std::deque<Node> nodes;                                             // stable addresses
    std::unordered_map<const rapidjson::Value*, const Node*> compiled;  // by resolved schema
    std::map<std::string, const Node*, std::less<>> roots;              // kind → its schema
  };

  // The Node of schema `s` (after Resolve), compiled on first use; shared by every reference
  // to the same schema, which also ends recursive schemas.
  static const Node* Compile(GroupVersion& gv, const rapidjson::Value* s) {
    s = Resolve(gv, s);
    if (s == nullptr || !s->IsObject()) return nullptr;
    if (auto it = gv.compiled.find(s); it != gv.compiled.end()) return it->second;
    Node& n = gv.nodes.emplace_back();
    gv.compiled.emplace(s, &n);
    if (auto props = s->FindMember("properties");
        props != s->MemberEnd() && props->value.IsObject()) {
      n.has_props = true;
      for (const auto& p : props->value.GetObject()) {
        n.props.emplace(std::string_view(p.name.GetString(), p.name.GetStringLength()),
                        Compile(gv, &p.value));
      }
    } else if (auto extra = s->FindMember("additionalProperties");
               extra != s->MemberEnd() && extra->value.IsObject()) {
      n.additional = Compile(gv, &extra->value);
    }
    if (auto items = s->FindMember("items"); items != s->MemberEnd()) {
      n.items = Compile(gv, &items->value);
    }
    return &n;
  }
  std::map<std::string, GroupVersion, std::less<>> by_gv;  // "group/version"

  // Follows $ref and allOf[0] to the schema that has the content.
  static const rapidjson::Value* Resolve(const GroupVersion& gv, const rapidjson::Value* s) {
    for (int depth = 0; s != nullptr && s->IsObject() && depth < 16; ++depth) {
      if (auto ref = s->FindMember("$ref"); ref != s->MemberEnd() && ref->value.IsString()) {
        std::string_view r(ref->value.GetString(), ref->value.GetStringLength());
        if (!r.starts_with(kV3SchemaPrefix)) return nullptr;
        r.remove_prefix(kV3SchemaPrefix.size());
        auto it = gv.components.find(r);
        s = it == gv.components.end() ? nullptr : &it->second;
        continue;
      }
      if (auto all = s->FindMember("allOf");
          all != s->MemberEnd() && all->value.IsArray() && !all->value.Empty()) {
        s = &all->value[0];
        continue;
      }
      return s;
    }
    return s;
  }

  // Where the walk is in the body: a chain of object keys and array indexes up from the
  // current value. The text ("a.b[2].c") is rendered only for a field that is reported.
  struct Path {
    const Path* parent = nullptr;
    std::string_view key;   // an object member, or
    std::size_t index = 0;  // an array element when key is empty and parent is set
  };

  static void AppendPath(std::string& out, const Path* p) {
    if (p == nullptr || p->parent == nullptr) return;  // the root has no text
    AppendPath(out, p->parent);
    if (p->key.empty()) {
      out += '[';
      out += std::to_string(p->index);
      out += ']';
      return;
    }
    if (p->parent->parent != nullptr) out += '.';
    out += p->key;
  }

  static std::string Report(std::string_view what, const Path& p) {
    std::string out(what);
    out += " field \"";
    AppendPath(out, &p);
    out += '"';
    return out;
  }

  // Whether member `m` of `object` repeats the name of an earlier member. Small objects (every
  // schema-described one) compare with the earlier names directly; large ones (maps such as
  // labels) keep the names in a set, so a body with many keys costs n log n, not n squared.
  class DuplicateNames {
   public:
    explicit DuplicateNames(const rapidjson::Value& object) : object_(object) {}
    bool Repeated(rapidjson::Value::ConstMemberIterator m) {
      const std::string_view key(m->name.GetString(), m->name.GetStringLength());
      if (object_.MemberCount() > kLinearLimit) return !seen_.insert(key).second;
      for (auto e = object_.MemberBegin(); e != m; ++e) {
        if (std::string_view(e->name.GetString(), e->name.GetStringLength()) == key) return true;
      }
      return false;
    }

   private:
    static constexpr rapidjson::SizeType kLinearLimit = 32;
    const rapidjson::Value& object_;
    std::set<std::string_view> seen_;
  };

  static void Walk(const Node* node, const rapidjson::Value& v, const Path& path,
                   std::vector<std::string>& out) {
    if (node == nullptr) return;
    if (v.IsObject()) {
      DuplicateNames names(v);
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        const std::string_view key(m->name.GetString(), m->name.GetStringLength());
        const Path child{&path, key};
        if (names.Repeated(m)) {
          out.push_back(Report("duplicate", child));
          continue;
        }
        if (node->has_props) {
          auto p = node->props.find(key);
          if (p != node->props.end()) {
            Walk(p->second, m->value, child, out);
          } else {
            out.push_back(Report("unknown", child));
          }
        } else {
          // additionalProperties, or a free-form object (FieldsV1, Patch): anything goes.
          Walk(node->additional, m->value, child, out);
        }
      }
    } else if (v.IsArray()) {
      if (node->items == nullptr) return;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        Walk(node->items, v[i], Path{&path, {}, i}, out);
      }
    }
  }
};

OpenAPI::OpenAPI(std::vector<OpenAPIGroupVersion> group_versions, std::string server_version)
    : gvs_(std::move(group_versions)), schemas_(std::make_unique<Schemas>()) {
  for (const auto& gv : gvs_) {
    const auto all = AllSchemas(gv);
    std::string doc;
    JsonWriter w(doc);
    Writer writer(w, false);
    w.StartObject();
    w.Key("openapi");
    w.String("3.0.0");
    Info(w, server_version);
    w.Key("paths");
    w.StartObject();
    writer.Paths(gv);
    w.EndObject();
    w.Key("components");
    w.StartObject();
    w.Key("schemas");
    w.StartObject();
    writer.Schemas(all);
    w.EndObject();
    w.Key("securitySchemes");
    w.StartObject();
    w.Key("BearerToken");
    w.Raw(
        R"({"type":"apiKey","description":"Bearer Token authentication","name":"authorization","in":"header"})");
    w.EndObject();
    w.EndObject();
    w.EndObject();
    hash_[gv.Path()] = UpperHexSHA512(doc);
    v3_[gv.Path()] = std::move(doc);

    auto& parsed = schemas_->by_gv[gv.group + "/" + gv.version];
    for (const auto& [name, schema] : all) {
      rapidjson::Document d;
      d.Parse(schema.data(), schema.size());
      if (!d.HasParseError()) parsed.components.insert_or_assign(name, std::move(d));
    }
    for (const auto& r : gv.resources) {
      parsed.kinds[r.kind] = r.schema;
      parsed.kinds[r.kind + "List"] = r.list_schema;
    }
    for (const auto& [kind, component] : parsed.kinds) {
      auto c = parsed.components.find(component);
      if (c != parsed.components.end()) parsed.roots[kind] = Schemas::Compile(parsed, &c->second);
    }
  }

  // The index: one entry per group version, its URL carrying the document's hash.
  {
    JsonWriter w(v3_index_);
    w.StartObject();
    w.Key("paths");
    w.StartObject();
    for (const auto& [path, hash] : hash_) {
      w.Key(path);
      w.StartObject();
      w.Key("serverRelativeURL");
      w.String("/openapi/v3/" + path + "?hash=" + hash);
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  }

  // v2: one document with every group version.
  {
    JsonWriter w(v2_);
    w.StartObject();
    w.Key("swagger");
    w.String("2.0");
    Info(w, server_version);
    Writer writer(w, true);
    w.Key("paths");
    w.StartObject();
    for (const auto& gv : gvs_) writer.Paths(gv);
    w.EndObject();
    w.Key("definitions");
    w.StartObject();
    std::vector<std::pair<std::string, std::string>> all = MetaOpenAPISchemas();
    for (const auto& gv : gvs_) all.insert(all.end(), gv.schemas.begin(), gv.schemas.end());
    writer.Schemas(all);
    w.EndObject();
    w.Key("securityDefinitions");
    w.Raw(
        R"({"BearerToken":{"description":"Bearer Token authentication","type":"apiKey","name":"authorization","in":"header"}})");
    w.Key("security");
    w.Raw(R"([{"BearerToken":[]}])");
    w.EndObject();
  }
}

OpenAPI::~OpenAPI() = default;

bool OpenAPI::IsOpenAPIPath(std::string_view path) {
  return path == "/openapi/v2" || path == "/openapi/v3" || path.starts_with("/openapi/v3/");
}

std::string OpenAPI::Hash(std::string_view gv_path) const {
  auto it = hash_.find(gv_path);
  return it == hash_.end() ? std::string() : it->second;
}

OpenAPI::Document OpenAPI::Serve(std::string_view path, std::string_view query,
                                 std::string_view accept) const {
  Document d;
  if (!AcceptsJson(accept)) {
    // kubectl asks for /openapi/v2 in protobuf only; this server answers JSON.
    d.status = 406;
    d.body = api::ToJson(
        errors::NewGeneric(errors::kReasonNotAcceptable, 406,
                           "only the following media types are accepted: application/json"));
    return d;
  }
  if (path == "/openapi/v2") {
    d.body = v2_;
    return d;
  }
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    d.body = v3_index_;
    d.headers.emplace_back("Cache-Control", "no-cache, private");
    return d;
  }
  std::string_view gv = path.substr(std::string_view("/openapi/v3/").size());
  while (!gv.empty() && gv.back() == '/') gv.remove_suffix(1);
  auto it = v3_.find(gv);
  if (it == v3_.end()) {
    d.status = 404;
    d.body = NotFound();
    return d;
  }
  const std::string& hash = hash_.find(gv)->second;
  std::string_view requested;
  for (std::size_t start = 0; start <= query.size();) {
    const auto amp = query.find('&', start);
    const auto part = query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (part.starts_with("hash=")) requested = part.substr(5);
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  if (!requested.empty() && requested != hash) {
    // A stale link: send the client to the current document (as kube-apiserver does).
    d.status = 301;
    d.content_type = "text/html; charset=utf-8";
    d.headers.emplace_back("Location", "/openapi/v3/" + std::string(gv) + "?hash=" + hash);
    return d;
  }
  d.body = it->second;
  d.headers.emplace_back("Etag", "\"" + hash + "\"");
  if (requested.empty()) {
    d.headers.emplace_back("Cache-Control", "no-cache, private");
  } else {
    d.headers.emplace_back("Cache-Control", "public, immutable");
    d.headers.emplace_back("Expires", "Fri, 01 Jan 2100 00:00:00 GMT");
  }
  return d;
}

StatusOr<std::vector<std::string>> OpenAPI::FieldErrors(std::string_view group,
                                                        std::string_view version,
                                                        std::string_view kind,
                                                        std::string_view body) const {
  auto doc = api::internal::ParseDocument(body);
  if (!doc) return doc.status();
  return FieldErrors(group, version, kind, *doc);
}

StatusOr<std::vector<std::string>> OpenAPI::FieldErrors(std::string_view group,
                                                        std::string_view version,
                                                        std::string_view kind,
                                                        const rapidjson::Value& body) const {
  const std::string key = std::string(group) + "/" + std::string(version);
  auto gv = schemas_->by_gv.find(key);
  if (gv == schemas_->by_gv.end()) return NotFoundError("no OpenAPI schemas for " + key);
  auto k = gv->second.kinds.find(kind);
  if (k == gv->second.kinds.end()) {
    return NotFoundError("no OpenAPI schema for kind " + std::string(kind) + " in " + key);
  }
  auto root = gv->second.roots.find(kind);
  if (root == gv->second.roots.end()) {
    return NotFoundError("no OpenAPI component " + k->second);
  }
  std::vector<std::string> out;
  Schemas::Walk(root->second, body, Schemas::Path{}, out);
  return out;
}

StatusOr<std::string> OpenAPI::ValidateFields(std::string_view directive,
                                              std::string_view options_kind, std::string_view group,
                                              std::string_view version, std::string_view kind,
                                              std::string_view body,
                                              std::string_view message_prefix) const {
  auto doc = api::internal::ParseDocument(body);
  // A body that is not JSON is the decoder's to reject: validated as if it had no fields.
  const rapidjson::Value empty;
  return ValidateFields(directive, options_kind, group, version, kind,
                        doc ? static_cast<const rapidjson::Value&>(*doc) : empty, message_prefix);
}

StatusOr<std::string> OpenAPI::ValidateFields(std::string_view directive,
                                              std::string_view options_kind, std::string_view group,
                                              std::string_view version, std::string_view kind,
                                              const rapidjson::Value& body,
                                              std::string_view message_prefix) const {
  if (directive.empty()) directive = "Warn";  // kube-apiserver's default since 1.27
  if (directive != "Ignore" && directive != "Warn" && directive != "Strict") {
    internal::FieldErrors errs{
        NotSupported("fieldValidation", GoQuote(directive), {"Ignore", "Strict", "Warn"})};
    return Status::FromAPIStatus(NewInvalid("meta.k8s.io", options_kind, "", std::move(errs)), 422);
  }
  if (directive == "Ignore") return std::string();
  auto found = FieldErrors(group, version, kind, body);
  // A body that is not JSON is the decoder's to reject; no schema = nothing to check.
  if (!found || found->empty()) return std::string();
  std::string joined;
  for (const auto& e : *found) joined += (joined.empty() ? "" : ", ") + e;
  if (directive == "Strict") {
    return Status::FromAPIStatus(
        errors::NewBadRequest(std::string(message_prefix) + "strict decoding error: " + joined),
        400);
  }
  // Warn: one `299 - "text"` warning per field (Go's strconv.Quote), comma-joined.
  std::string header;
  for (const auto& e : *found) {
    if (!header.empty()) header += ", ";
    header += "299 - " + GoQuote(e);
  }
  return header;
}

}  // namespace kube::localapiserver::internal

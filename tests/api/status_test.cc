// kube::Status / StatusOr and apimachinery-style error classification.
#include <gtest/gtest.h>

#include "kubeevents/api/common/status_or.h"
#include "kubeevents/api/errors/errors.h"

namespace kube {
namespace {

namespace errors = api::errors;

TEST(StatusTest, OkAndErrors) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status bad = InvalidArgumentError("bad input");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.origin(), ErrorOrigin::kLocal);
  EXPECT_EQ(bad.ToString(), "INVALID_ARGUMENT: bad input");
  EXPECT_EQ(UnavailableError("x").origin(), ErrorOrigin::kTransport);
}

TEST(StatusTest, StatusOrValueThrowsOnlyWhenAsked) {
  StatusOr<int> v = 5;
  EXPECT_EQ(v.value(), 5);
  StatusOr<int> e = NotFoundError("gone");
  EXPECT_FALSE(e.ok());
  EXPECT_THROW(e.value(), StatusError);
  StatusOr<int> from_ok = Status();
  EXPECT_EQ(from_ok.status().code(), StatusCode::kInternal);
}

// Counts how it was copied and moved.
struct CopyMoveCounter {
  CopyMoveCounter() = default;
  CopyMoveCounter(const CopyMoveCounter& o) : copies(o.copies + 1), moves(o.moves) {}
  CopyMoveCounter(CopyMoveCounter&& o) noexcept : copies(o.copies), moves(o.moves + 1) {}
  CopyMoveCounter& operator=(const CopyMoveCounter&) = delete;
  CopyMoveCounter& operator=(CopyMoveCounter&&) = delete;
  int copies = 0;
  int moves = 0;
};

StatusOr<CopyMoveCounter> ReturnLocal() {
  CopyMoveCounter local;
  return local;  // treated as an rvalue: moved in
}

TEST(StatusTest, StatusOrTakesItsValueWithOneCopyOrOneMove) {
  const CopyMoveCounter original;
  const StatusOr<CopyMoveCounter> copied = original;
  EXPECT_EQ(copied->copies, 1);
  EXPECT_EQ(copied->moves, 0);

  CopyMoveCounter movable;
  const StatusOr<CopyMoveCounter> moved = std::move(movable);
  EXPECT_EQ(moved->copies, 0);
  EXPECT_EQ(moved->moves, 1);

  const StatusOr<CopyMoveCounter> returned = ReturnLocal();
  EXPECT_EQ(returned->copies, 0);
  EXPECT_EQ(returned->moves, 1);
}

TEST(StatusTest, ApiServerErrorsClassify) {
  Status nf = Status::FromAPIStatus(errors::NewNotFound("", "events", "x"), 404);
  EXPECT_TRUE(errors::IsNotFound(nf));
  EXPECT_EQ(nf.code(), StatusCode::kNotFound);
  EXPECT_EQ(nf.message(), "events \"x\" not found");
  EXPECT_EQ(nf.origin(), ErrorOrigin::kAPIServer);

  Status ae = Status::FromAPIStatus(errors::NewAlreadyExists("events.k8s.io", "events", "y"), 409);
  EXPECT_TRUE(errors::IsAlreadyExists(ae));
  EXPECT_FALSE(errors::IsConflict(ae));
  EXPECT_EQ(ae.message(), "events.events.k8s.io \"y\" already exists");

  auto forbidden = errors::NewForbidden("", "events", "z",
                                        "unable to create new content in "
                                        "namespace ns because it is being terminated");
  forbidden.details.causes.push_back({std::string(errors::kNamespaceTerminatingCause),
                                      "namespace ns is being terminated", "metadata.namespace"});
  Status nt = Status::FromAPIStatus(forbidden, 403);
  EXPECT_TRUE(errors::IsForbidden(nt));
  EXPECT_TRUE(errors::HasStatusCause(nt, errors::kNamespaceTerminatingCause));
  EXPECT_EQ(nt.code(), StatusCode::kPermissionDenied);

  // An unknown reason falls back to the HTTP code, as apimachinery does.
  api::meta::v1::Status bare;
  Status by_code = Status::FromAPIStatus(bare, 404);
  EXPECT_TRUE(errors::IsNotFound(by_code));
  EXPECT_FALSE(errors::IsNotFound(NotFoundError("local")));  // not from the server

  Status invalid = Status::FromAPIStatus(
      errors::NewInvalid("events.k8s.io", "Event", "bad",
                         {{"FieldValueRequired", "Required value", "reportingController"}}),
      422);
  EXPECT_TRUE(errors::IsInvalid(invalid));
  EXPECT_EQ(invalid.message(),
            "Event.events.k8s.io \"bad\" is invalid: reportingController: Required value");
}

}  // namespace
}  // namespace kube

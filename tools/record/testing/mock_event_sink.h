// kube::record::testing::MockEventSink: a GoogleMock EventSink for users' tests
// (header-only; include it only from test code that links GMock).
#pragma once

#include <gmock/gmock.h>

#include "kubeevents/tools/record/event_sink.h"

namespace kube::record::testing {

class MockEventSink : public EventSink {
 public:
  MOCK_METHOD(StatusOr<api::core::v1::Event>, Create, (const api::core::v1::Event& event),
              (override));
  MOCK_METHOD(StatusOr<api::core::v1::Event>, Update, (const api::core::v1::Event& event),
              (override));
  MOCK_METHOD(StatusOr<api::core::v1::Event>, Patch,
              (const api::core::v1::Event& event, std::string_view patch), (override));
};

}  // namespace kube::record::testing

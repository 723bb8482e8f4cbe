// The status page at "/": served as HTML with a policy that allows nothing from elsewhere, and
// self-contained (what it renders is proven in headless Chromium, tests/e2e/test_status_page.py).
#include "mirror/service/status_page.h"

#include <gtest/gtest.h>

#include <regex>

#include "mirror/http/client.h"
#include "mirror/service/service.h"

namespace mirror::service {
namespace {

TEST(StatusPage, IsServedAtTheRootAsHtmlThatMayLoadNothingFromElsewhere) {
  ServiceOptions options;
  options.http_listen = "127.0.0.1:0";
  Service service(config::ServiceSpec{}, az::Resolution{}, options);  // no flows: the port only
  auto started = service.start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string address = "127.0.0.1:" + std::to_string(service.http_port());
  auto page = http::send_request(address, {});
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(page->headers["content-security-policy"], std::string(kStatusPagePolicy));
  EXPECT_EQ(page->body, std::string(status_page_html()));
  // The /flows it reads is on the same port.
  http::ClientRequest flows;
  flows.target = "/flows";
  auto doc = http::send_request(address, flows);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->status, 200);
  service.stop();
}

TEST(StatusPage, IsOneDocumentWithoutExternalAssetsThatSetsDataAsText) {
  const std::string html(status_page_html());
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // No URL of another origin, no file loaded by src or href, no way to parse data as HTML.
  EXPECT_FALSE(std::regex_search(html, std::regex("https?://|//[a-z0-9.-]+\\.[a-z]{2,}/")));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\b(src|href)\\s*=", std::regex::icase)));
  EXPECT_EQ(html.find("innerHTML"), std::string::npos);
  EXPECT_EQ(html.find("insertAdjacentHTML"), std::string::npos);
  EXPECT_EQ(html.find("document.write"), std::string::npos);
  EXPECT_NE(html.find("fetch(\"flows\""), std::string::npos) << "reads /flows, relative to /";
  // And the policy says the same to the browser.
  const std::string policy(kStatusPagePolicy);
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos);
}

}  // namespace
}  // namespace mirror::service

package io.mailtree.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of tracking that need no server: which links are tracked and how, and which opens look like a machine's. */
class CampaignTrackingTests {

    @Test
    void onlyLiteralHttpLinksAreTrackedOnceEachInOrder() {
        String html = "<a href=\"https://a.example/x?p=1&amp;q=2\">A</a> <A HREF='http://b.example/'>B</A>"
                + " <a href=\"{{unsubscribe_url}}\">U</a> <a href=\"mailto:x@example.test\">M</a>"
                + " <a href=\"javascript:alert(1)\">J</a> <a href=\"https://a.example/x?p=1&amp;q=2\">again</a>"
                + " <a href=\"https://c.example/{{ name }}\">per recipient</a>";
        assertThat(CampaignLinks.extract(html)).containsExactly("https://a.example/x?p=1&q=2", "http://b.example/");
        assertThat(CampaignLinks.extract(null)).isEmpty();
    }

    @Test
    void rewritingReplacesOnlyTheStoredLinksAndKeepsTheQuotes() {
        String html = "<p><a class=\"c\" href=\"https://a.example/x?p=1&amp;q=2\">A</a> <a href='http://b.example/'>B</a>"
                + " <a href=\"https://other.example/\">O</a></p>";
        Map<Integer, CampaignLinks.Link> links = Map.of(0, new CampaignLinks.Link(0, "https://a.example/x?p=1&q=2",
                CampaignLinks.hash("https://a.example/x?p=1&q=2")), 1, new CampaignLinks.Link(1, "http://b.example/",
                CampaignLinks.hash("http://b.example/")));
        String rewritten = CampaignLinks.rewrite(html, links, link -> "https://t.example/t/c/" + link.index() + "$1");
        assertThat(rewritten).isEqualTo("<p><a class=\"c\" href=\"https://t.example/t/c/0$1\">A</a>"
                + " <a href='https://t.example/t/c/1$1'>B</a> <a href=\"https://other.example/\">O</a></p>");
    }

    @Test
    void theHashOfALinkChangesWithItsUrl() {
        assertThat(CampaignLinks.hash("https://a.example/")).hasSize(11).isNotEqualTo(CampaignLinks.hash("https://a.example"));
    }

    @Test
    void applesProxyScannersAndLibrariesAreMachinesAPersonsMailProgramIsNot() {
        assertThat(MachineOpens.isMachine("Mozilla/5.0")).isTrue();
        assertThat(MachineOpens.isMachine(null)).isTrue();
        assertThat(MachineOpens.isMachine("python-requests/2.31")).isTrue();
        assertThat(MachineOpens.isMachine("Mozilla/5.0 (compatible; Barracuda Sentinel)")).isTrue();
        assertThat(MachineOpens.isMachine("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"))
                .isFalse();
        assertThat(MachineOpens.isMachine("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"))
                .as("Gmail fetches when the person opens").isFalse();
    }
}

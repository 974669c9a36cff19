package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.WebSession;
import java.text.NumberFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * D-11: a refused share and a refused import state their numbers in the reader's language. The
 * numbers travel with the refusal (on the share result and on the stored import job) and each page
 * formats them for its locale; nothing reads them back out of the English message, so a reworded
 * English message leaves the French and Japanese pages whole.
 */
class RefusalLanguagesIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("D-11: a share refused for allowance names both numbers in French and Japanese, formatted for each")
    void d11RefusedShareNamesTheNumbersInFrenchAndJapanese() {
        Master master = master("lite-5000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Everyone\"}").json().get("id").asLong();
        importCsv(api, "email\n" + rows(0, 1200, "example.test"), Map.of("listId", String.valueOf(list)));
        String sub = createSubaccount(api, 1000).json().get("subaccount").get("id").asString();

        JsonNode refused = api.post("/api/v1/lists/" + list + "/share", "{\"subaccountIds\":[\"" + sub + "\"]}")
                .json().get("results").get(0);
        assertThat(refused.get("code").asString()).isEqualTo("contact_allowance_exceeded");
        assertThat(refused.get("arguments").get("requested").asLong()).isEqualTo(1200);
        assertThat(refused.get("arguments").get("available").asLong()).isEqualTo(1000);

        WebSession web = signInAsOwner(master);
        String french = shareOnPage(web, list, sub, "fr");
        assertThat(french).contains("Nouveaux contacts nécessaires : " + number(1200, Locale.FRENCH)
                + " ; disponibles dans son allocation : " + number(1000, Locale.FRENCH) + ". Rien n’a été copié.");
        String japanese = shareOnPage(web, list, sub, "ja");
        assertThat(japanese).contains("新しいコンタクトが " + number(1200, Locale.JAPANESE) + " 件必要ですが、割り当ての空きは "
                + number(1000, Locale.JAPANESE) + " 件のみです。何もコピーされていません。");
        assertThat(ownActiveContacts(api.onBehalfOf(sub))).as("nothing was copied").isZero();
    }

    @Test
    @DisplayName("D-11: an import refused for allowance keeps its numbers and shows them in French and Japanese")
    void d11RefusedImportNamesTheNumbersInFrenchAndJapanese() {
        Master master = master("lite-1000");
        Api api = master.api();
        JsonNode job = importCsv(api, "email\n" + rows(0, 1500, "example.test"), Map.of());
        assertThat(job.get("status").asString()).isEqualTo("REFUSED");
        assertThat(job.get("code").asString()).isEqualTo("contact_allowance_exceeded");
        assertThat(job.get("arguments").get("requested").asLong()).isEqualTo(1500);
        assertThat(job.get("arguments").get("available").asLong()).isEqualTo(1000);
        String id = job.get("id").asString();
        String frenchSentence = "L’import ajouterait " + number(1500, Locale.FRENCH)
                + " nouveaux contacts actifs mais seuls " + number(1000, Locale.FRENCH)
                + " sont disponibles ; rien n’a été importé.";
        String japaneseSentence = "インポートすると新しいアクティブなコンタクトが " + number(1500, Locale.JAPANESE)
                + " 件追加されますが、利用可能なのは " + number(1000, Locale.JAPANESE) + " 件のみです。何もインポートされていません。";

        WebSession web = signInAsOwner(master);
        assertThat(web.get("/imports/" + id + "?lang=fr").body()).contains(frenchSentence);
        assertThat(web.get("/imports/" + id + "?lang=ja").body()).contains(japaneseSentence);

        // The job outlives the wording of the version that refused it: a later version's English must
        // not change what the other languages say.
        jdbc.sql("update contact_import set message = ? where id = ?")
                .params("Refused: over the allowance (as an earlier version worded it).", UUID.fromString(id)).update();
        assertThat(web.get("/imports/" + id + "?lang=fr").body()).contains(frenchSentence);
        assertThat(web.get("/imports/" + id + "?lang=ja").body()).contains(japaneseSentence);
        assertThat(contactRows(master.id())).as("nothing was imported").isZero();
    }

    /** Shares the list with the sub-account from the list page in {@code lang}; answers the page shown after. */
    private static String shareOnPage(WebSession web, long list, String sub, String lang) {
        web.get("/lists/" + list + "?lang=" + lang);
        WebSession.Page posted = web.post("/lists/" + list + "/share", Map.of("subaccountId", sub));
        assertThat(posted.status()).isEqualTo(302);
        return web.get(posted.location().replaceFirst("^https?://[^/]+", "").replaceFirst("#.*$", "")).body();
    }

    private static String number(long value, Locale locale) {
        return NumberFormat.getInstance(locale).format(value);
    }
}

package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.WebSession;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * D-26 … D-28 on the pages: the list, test-recipient, template, image and e-mail pages all show the
 * one share picker ({@code sharing :: picker}), and after a share its outcome per target in the
 * page's language: what the copy created for a sub-account that received it, the refusal with the
 * sub-account's name for one that cannot (a deactivated one).
 */
class SharePickerIntegrationTests extends ContentTestSupport {

    /** One kind of share: the page the picker is on and the fields its form posts beside the targets. */
    private record Kind(String name, String page, String action, Map<String, String> fields) {
    }

    @Test
    @DisplayName("D-26: every page's share picker shows the outcome per target in French and Japanese, a refused target by name")
    void d26EveryPickerShowsItsOutcomesInThePageLanguage() {
        Master master = master("pro-5000");
        Api api = master.api();
        String lyon = createSubaccount(api, "Lyon", uniqueEmail("lyon"), null, 500).json().get("subaccount").get("id")
                .asString();
        String nantes = createSubaccount(api, "Nantes", uniqueEmail("nantes"), null, 500).json().get("subaccount")
                .get("id").asString();
        assertThat(api.post("/api/v1/subaccounts/" + nantes + "/deactivate", "").status()).isEqualTo(200);

        long list = api.post("/api/v1/lists", "{\"name\":\"Everyone\"}").json().get("id").asLong();
        JsonNode image = uploadImage(api, "logo.png", PNG);
        long template = api.post("/api/v1/templates", "{\"name\":\"Monthly\",\"subject\":\"News\",\"html\":"
                + "\"<img src='" + image.get("url").asString() + "'><p>{{name}}</p>\"}").json().get("id").asLong();
        long email = completeEmail(api, image.get("url").asString()).get("id").asLong();

        Map<Kind, Map<String, String>> sharedSentence = new LinkedHashMap<>();
        sharedSentence.put(new Kind("list", "/lists/" + list, "/lists/" + list + "/share", Map.of()),
                Map.of("fr", "Une copie de la liste a été créée. Membres : 0.",
                        "ja", "メンバー 0 件のリストのコピーを作成しました。"));
        sharedSentence.put(new Kind("test recipients", "/test-recipients", "/test-recipients/share", Map.of()),
                Map.of("fr", "Destinataires de test copiés : 0.", "ja", "テスト受信者を 0 件コピーしました。"));
        sharedSentence.put(new Kind("template", "/templates/" + template, "/templates/" + template + "/share", Map.of()),
                Map.of("fr", "Une copie du modèle a été créée. Images copiées : 1.",
                        "ja", "テンプレートのコピーを作成しました。コピーした画像：1 件。"));
        sharedSentence.put(new Kind("images", "/images", "/images/share",
                Map.of("imageId", String.valueOf(image.get("id").asLong()))),
                Map.of("fr", "Images copiées dans sa bibliothèque : 1.", "ja", "ライブラリにコピーした画像：1 件。"));
        sharedSentence.put(new Kind("e-mail", "/emails/" + email, "/emails/" + email + "/share", Map.of()),
                Map.of("fr", "Une copie en brouillon a été créée. Images copiées : 1. Pièces jointes : 0.",
                        "ja", "下書きのコピーを作成しました。コピーした画像：1 件。添付ファイル：0 件。"));
        Map<String, String> refusedSentence = Map.of("fr", "Le sous-compte Nantes est désactivé.",
                "ja", "サブアカウント Nantes は無効化されています。");

        WebSession web = signInAsOwner(master);
        for (String lang : new String[] {"fr", "ja"}) {
            sharedSentence.forEach((kind, sentences) -> {
                String picker = web.get(kind.page() + "?lang=" + lang).body();
                assertThat(picker).as("%s page offers the picker", kind.name()).contains("id=\"share-form\"")
                        .contains("data-subaccount=\"Lyon\"");

                String shared = share(web, kind, lyon);
                assertThat(outcome(shared, "Lyon")).as("%s shared, in %s", kind.name(), lang)
                        .contains("data-status=\"shared\"").contains(sentences.get(lang));

                String refused = share(web, kind, nantes);
                assertThat(outcome(refused, "Nantes")).as("%s refused, in %s", kind.name(), lang)
                        .contains("data-status=\"refused\"").contains(refusedSentence.get(lang));
            });
        }
        assertThat(jdbc.sql("select count(*) from template where account_id = ?").param(UUID.fromString(nantes))
                .query(Long.class).single()).as("the deactivated sub-account received nothing").isZero();
        assertThat(jdbc.sql("select count(*) from template where account_id = ?").param(UUID.fromString(lyon))
                .query(Long.class).single()).as("one template copy per share, in both languages").isEqualTo(2);
    }

    /** Posts the kind's share form for one target; answers the page it redirects to. */
    private static String share(WebSession web, Kind kind, String subaccountId) {
        Map<String, String> form = new LinkedHashMap<>(kind.fields());
        form.put("subaccountId", subaccountId);
        WebSession.Page posted = web.post(kind.action(), form);
        assertThat(posted.status()).as("%s share answers a redirect", kind.name()).isEqualTo(302);
        assertThat(posted.location()).endsWith("#share");
        return web.get(posted.location().replaceFirst("^https?://[^/]+", "").replaceFirst("#.*$", "")).body();
    }

    /** The outcome row of the named target in the page's share results. */
    private static String outcome(String page, String name) {
        Matcher row = Pattern.compile("<tr class=\"share-result\"[^>]*data-subaccount=\"" + name + "\".*?</tr>",
                Pattern.DOTALL).matcher(page);
        assertThat(row.find()).as("an outcome row for %s", name).isTrue();
        return row.group();
    }
}

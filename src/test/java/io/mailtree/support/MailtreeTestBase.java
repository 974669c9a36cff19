package io.mailtree.support;

import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Helpers shared by the integration tests: masters provisioned through the real provisioning API,
 * sub-accounts created through the real account API, unique e-mail addresses per test.
 */
@IntegrationTest
public abstract class MailtreeTestBase {

    public static final String OPERATOR_TOKEN = "test-operator-token";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @LocalServerPort
    protected int port;

    @Autowired
    protected AccountTree accountTree;

    @Autowired
    protected JdbcClient jdbc;

    @AfterEach
    void resetClock() {
        TestInfrastructure.CLOCK.reset();
    }

    protected MutableClock clock() {
        return TestInfrastructure.CLOCK;
    }

    protected void advanceClock(Duration by) {
        TestInfrastructure.CLOCK.advance(by);
    }

    /** A unique address, so tests never collide on the global login uniqueness. */
    protected static String uniqueEmail(String who) {
        return who + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "@example.test";
    }

    protected Api operator() {
        return Api.operator(port, OPERATOR_TOKEN);
    }

    /** A master on {@code plan}, provisioned by the operator; answers its id and an API client. */
    protected Master master(String plan) {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"Master " + SEQUENCE.incrementAndGet() + "\",\"ownerEmail\":\"" + uniqueEmail("owner")
                        + "\",\"plan\":\"" + plan + "\"}");
        if (created.status() != 201) {
            throw new IllegalStateException("provisioning failed: " + created);
        }
        JsonNode json = created.json();
        return new Master(json.get("master").get("id").asString(), Api.withKey(port, json.get("apiKey")));
    }

    /** Gives a master's owner a known password and answers the owner's login e-mail. */
    protected String ownerOf(Master master, String password) {
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + password, UUID.fromString(master.id())).update();
        return jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
    }

    /** A web session signed in as the master's owner, through the real sign-in form. */
    protected WebSession signInAsOwner(Master master) {
        String password = "owner-password-1";
        WebSession session = new WebSession(port);
        if (!session.signIn(ownerOf(master, password), password).endsWith("/home")) {
            throw new AssertionError("the owner of " + master.id() + " could not sign in");
        }
        return session;
    }

    /** Creates a sub-account through the API; answers the raw response. */
    protected Api.Response createSubaccount(Api master, String name, String ownerEmail, String password,
            Integer allocation) {
        StringBuilder body = new StringBuilder("{\"name\":\"").append(name).append("\",\"ownerEmail\":\"")
                .append(ownerEmail).append('"');
        if (password != null) {
            body.append(",\"password\":\"").append(password).append('"');
        }
        if (allocation != null) {
            body.append(",\"contactAllocation\":").append(allocation);
        }
        return master.post("/api/v1/subaccounts", body.append('}').toString());
    }

    protected Api.Response createSubaccount(Api master, int allocation) {
        return createSubaccount(master, "Sub " + SEQUENCE.incrementAndGet(), uniqueEmail("sub"), null, allocation);
    }

    /** Sets an account's own active contacts, as the contacts module will through the counter. */
    protected void setOwnActiveContacts(String accountId, int contacts) {
        jdbc.sql("update account set own_active_contacts = ? where id = ?").params(contacts, UUID.fromString(accountId))
                .update();
    }

    protected AccountId id(String text) {
        return new AccountId(UUID.fromString(text));
    }

    protected JsonNode allowance(Api api) {
        Api.Response account = api.get("/api/v1/account");
        if (account.status() != 200) {
            throw new IllegalStateException(account.toString());
        }
        return account.json().get("allowance");
    }

    /**
     * Waits for the newest message to {@code recipient} at the SMTP relay (GreenMail) and answers
     * its text; fails after ten seconds.
     */
    protected String awaitMailTo(String recipient, int expectedCount) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var messages = java.util.Arrays.stream(TestInfrastructure.SMTP.getReceivedMessages())
                    .filter(m -> {
                        try {
                            return java.util.Arrays.stream(m.getAllRecipients())
                                    .anyMatch(a -> a.toString().equalsIgnoreCase(recipient));
                        } catch (Exception e) {
                            return false;
                        }
                    }).toList();
            if (messages.size() >= expectedCount) {
                return com.icegreen.greenmail.util.GreenMailUtil.getBody(messages.get(messages.size() - 1))
                        .replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no mail #" + expectedCount + " to " + recipient);
    }

    /**
     * Adds {@code domain} as the master's sending domain, publishes the DKIM, SPF and DMARC records it is
     * asked to on the test's DNS server, and runs "Check now", so the domain is verified the way a
     * customer verifies it (ADR 0021) and meets what campaigns require of bulk senders. Answers its id.
     */
    protected long verifiedDomain(Master master, String domain) {
        tools.jackson.databind.JsonNode added = master.api().post("/api/v1/domains", "{\"domain\":\"" + domain + "\"}").json();
        for (tools.jackson.databind.JsonNode record : added.get("dnsRecords")) {
            String purpose = record.get("purpose").asString();
            if (purpose.equals("DKIM") || purpose.equals("SPF") || purpose.equals("DMARC")) {
                TestInfrastructure.DNS.txt(record.get("name").asString(), record.get("value").asString());
            }
        }
        long id = added.get("id").asLong();
        master.api().post("/api/v1/domains/" + id + "/check", "{}");
        return id;
    }

    /** The path and query of the first Mailtree link in a mail text. */
    protected static String linkIn(String mail, String path) {
        var matcher = java.util.regex.Pattern.compile("https?://[^/\\s]+(" + java.util.regex.Pattern.quote(path)
                + "\\?token=[A-Za-z0-9_.\\-]+)").matcher(mail);
        if (!matcher.find()) {
            throw new AssertionError("no " + path + " link in: " + mail);
        }
        return matcher.group(1);
    }

    /** A master account under test: its id and an API client holding its primary key. */
    public record Master(String id, Api api) {
    }
}

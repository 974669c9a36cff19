package io.mailtree.contacts;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.RefusalArguments;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * D-26, D-28: a master shares a list or its test recipients with sub-accounts by copying them. Each
 * target is a transaction of its own: a target short of allowance is refused with the numbers
 * (D-11) while the others proceed, and every copy counts in its own account (D-9).
 */
@Service
public class Sharing {

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final ContactLists lists;
    private final TestRecipients testRecipients;
    private final AuditLog audit;
    private final Clock clock;

    Sharing(JdbcClient jdbc, AccountTree accounts, ContactLists lists, TestRecipients testRecipients, AuditLog audit,
            Clock clock) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.lists = lists;
        this.testRecipients = testRecipients;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The outcome for one target: {@code shared} with what was created, or {@code refused} with a
     * code, the English message and the refusal's named {@code arguments} (for D-11 the
     * {@code requested} and {@code available} numbers), from which each page states it in its own
     * language.
     */
    public record Result(String subaccountId, String status, String code, String message,
            Map<String, Object> arguments, Long listId, Integer copied) {

        static Result refused(String subaccountId, DomainProblem problem) {
            return new Result(subaccountId, "refused", problem.code(), problem.getMessage(),
                    RefusalArguments.of(problem), null, null);
        }
    }

    public List<Result> shareList(Caller caller, long listId, List<String> subaccountIds) {
        caller.requireMaster();
        ContactList source = lists.get(caller.accountId(), listId);
        return accounts.shareToEach(caller, subaccountIds, sub -> copyList(caller, source, sub), Result::refused);
    }

    public List<Result> shareTestRecipients(Caller caller, List<String> subaccountIds) {
        caller.requireMaster();
        return accounts.shareToEach(caller, subaccountIds, sub -> {
            int copied = testRecipients.copyTo(caller.accountId(), sub.id());
            audit.record(caller, caller.accountId(), sub.id(), "test_recipients.shared", "account",
                    sub.id().toString(), copied + " copied");
            return new Result(sub.id().toString(), "shared", null, null, null, null, copied);
        }, Result::refused);
    }


    private Result copyList(Caller caller, ContactList source, Account sub) {
        AccountId master = caller.accountId();
        AccountId target = sub.id();
        Instant now = clock.instant();
        jdbc.sql("""
                insert into contact_property (account_id, prop_key, label, prop_type, created_at)
                select ?, p.prop_key, p.label, p.prop_type, ? from contact_property p
                where p.account_id = ? and not exists (
                    select 1 from contact_property t where t.account_id = ? and t.prop_key = p.prop_key)""")
                .params(target.value(), Times.sql(now), master.value(), target.value()).update();
        long newContacts = jdbc.sql("""
                select count(*) from contact c join list_member m on m.contact_id = c.id
                where m.list_id = ? and c.account_id = ? and c.status = 'SUBSCRIBED' and not exists (
                    select 1 from contact t where t.account_id = ? and t.email_key = c.email_key)""")
                .params(source.id(), master.value(), target.value()).query(Long.class).single();
        accounts.reserveActiveContacts(target, newContacts);
        jdbc.sql("""
                insert into contact (account_id, email, email_key, name, status, properties, created_at, updated_at)
                select ?, c.email, c.email_key, c.name, 'SUBSCRIBED', c.properties, ?, ?
                from contact c join list_member m on m.contact_id = c.id
                where m.list_id = ? and c.account_id = ? and c.status = 'SUBSCRIBED' and not exists (
                    select 1 from contact t where t.account_id = ? and t.email_key = c.email_key)""")
                .params(target.value(), Times.sql(now), Times.sql(now), source.id(), master.value(), target.value())
                .update();
        ContactList copy = lists.create(target, source.name());
        int members = jdbc.sql("""
                insert into list_member (list_id, contact_id, account_id, added_at)
                select ?, t.id, ?, ? from list_member m
                join contact c on c.id = m.contact_id
                join contact t on t.account_id = ? and t.email_key = c.email_key
                where m.list_id = ? and c.account_id = ? and c.status = 'SUBSCRIBED'""")
                .params(copy.id(), target.value(), Times.sql(now), target.value(), source.id(), master.value())
                .update();
        jdbc.sql("update contact_list set member_count = ? where id = ?").params(members, copy.id()).update();
        audit.record(caller, master, target, "list.shared", "list", String.valueOf(source.id()),
                "list " + source.name() + " -> list " + copy.id() + " (" + members + " members, " + newContacts
                        + " new contacts)");
        return new Result(target.toString(), "shared", null, null, null, copy.id(), members);
    }
}

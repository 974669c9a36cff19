package io.mailtree.contacts;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.accounts.sharing.SubaccountShares;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * D-26, D-28: a master shares a list or its test recipients with sub-accounts by copying them,
 * through the fan-out of {@link SubaccountShares}. Each target is a transaction of its own: a target
 * short of allowance is refused with the numbers (D-11) while the others proceed, and every copy
 * counts in its own account (D-9).
 */
@Service
public class Sharing {

    private final JdbcClient jdbc;
    private final SubaccountShares shares;
    private final ContactAllowance allowance;
    private final ContactLists lists;
    private final TestRecipients testRecipients;
    private final AuditLog audit;
    private final Clock clock;

    Sharing(JdbcClient jdbc, SubaccountShares shares, ContactAllowance allowance, ContactLists lists,
            TestRecipients testRecipients, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.shares = shares;
        this.allowance = allowance;
        this.lists = lists;
        this.testRecipients = testRecipients;
        this.audit = audit;
        this.clock = clock;
    }

    public List<ShareResult> shareList(Caller caller, long listId, List<String> subaccountIds) {
        caller.requireMaster();
        ContactList source = lists.get(caller.accountId(), listId);
        return shares.shareToEach(caller, subaccountIds, sub -> copyList(caller, source, sub));
    }

    public List<ShareResult> shareTestRecipients(Caller caller, List<String> subaccountIds) {
        caller.requireMaster();
        return shares.shareToEach(caller, subaccountIds, sub -> {
            int copied = testRecipients.copyTo(caller.accountId(), sub.id());
            audit.record(caller, caller.accountId(), sub.id(), "test_recipients.shared", "account",
                    sub.id().toString(), copied + " copied");
            return ShareResult.testRecipients(sub.id().toString(), copied);
        });
    }

    private ShareResult copyList(Caller caller, ContactList source, Account sub) {
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
        allowance.reserveActiveContacts(target, newContacts);
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
        return ShareResult.list(target.toString(), copy.id(), members);
    }
}

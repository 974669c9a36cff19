package io.mailtree.access.internal;

import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.AccountOwners;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** {@link AccountOwners} from the users: the owner of an account is its user with the OWNER role. */
@Component
class OwnerAddresses implements AccountOwners {

    private final Users users;

    OwnerAddresses(Users users) {
        this.users = users;
    }

    @Override
    public Optional<String> ownerEmail(AccountId account) {
        return users.ownerOf(account).map(User::email);
    }
}

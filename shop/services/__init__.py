"""Operations that change carts and orders, one module per operation; views and the admin call
these. Each runs in one transaction."""

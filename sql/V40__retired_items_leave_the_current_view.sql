-- A row retired for good: no instant from now on lies within its validity. A DELETE retires a row by ending it now
-- (V7's retirement(); a planned row retired before it began gets an empty validity), a merge or an import retires
-- the rows it replaces the same way, and an edit may end a row in the past. Such a row has left the cadastre's
-- current view: OGC API – Features Part 4 has a read of a deleted item answer 404, and an edit of it is an edit of
-- nothing. The row, its id and its history stay (as-of and history still read them; a revert brings it back).
-- A row that will begin later (planned) or that ends later is not retired: it is still the cadastre's to change.
CREATE FUNCTION retired(valid_from timestamptz, valid_to timestamptz) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT NOT live_at(valid_from, valid_to, greatest(now(), valid_from)) $$;

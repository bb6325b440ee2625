// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ChainMart provenance tokens: supply-chain traceability for product units and batches
/// @notice An ERC-721 token (name "ChainMart Provenance", symbol "CMPROV") stands for one product unit
/// or one batch. An approved producer mints it with its origin record: the IPFS CID of the product
/// passport (ERC-721 metadata JSON: origin, materials, certifications, images; `tokenURI` is
/// `ipfs://<passportCid>`), a batch or serial reference, and the producer. An approved producer is an
/// active Marketplace seller or an account the admin granted `PRODUCER_ROLE`.
///
/// Each token carries an append-only trail of business events modelled on GS1 EPCIS: a business
/// step, a location, a time, the actor and an evidence CID. Minting records the first event
/// (`Commissioning`, index 0). An event is never edited: a correction is a new event that names the
/// index of the event it corrects.
///
/// Trail events live only in logs (`ProvenanceEventRecorded`); the chain stores each token's running
/// hash head and event count in one slot, so anyone can fetch the logs, recompute the head and prove
/// the trail complete and unaltered. The hash chain, with `head` as `bytes28`:
///
///     head_0     = 0x00..00 (28 zero bytes, before the first event)
///     head_{i+1} = bytes28(keccak256(abi.encode(
///                      head_i,                          // bytes28
///                      tokenId,                         // uint256
///                      i,                               // uint32, index of this event, 0-based
///                      step,                            // uint8, a `Step`
///                      actor,                           // address
///                      time,                            // uint64, block.timestamp when recorded
///                      keccak256(bytes(location)),      // bytes32
///                      keccak256(bytes(evidenceCid)),   // bytes32
///                      corrects                         // uint32, `NO_CORRECTION` if none
///                  )))
///
/// After `n` events `trailOf(tokenId)` returns `(head_n, n)`. A head is the first 224 bits of the
/// keccak256 digest (so head and count share one storage slot): forging a different trail with the
/// same head needs a 224-bit second preimage. Every log also carries the head after its event, so a
/// verifier can name the first event that does not match. `nextHead` computes one step on chain.
///
/// Who may append to a token's trail: its producer, its current holder, an account the producer or
/// the current holder authorised for that token (`setAppender`; a holder's authorisations lapse when
/// the token leaves that holder), and any account with `LOGISTICS_ROLE`. Accounts with
/// `MARKETPLACE_ROLE` (the Marketplace contract) record sales with `recordSale`.
interface IProvenanceToken {
    /// @notice Business steps, after the GS1 Core Business Vocabulary. Stored and hashed as uint8:
    /// 0 Commissioning (unit or batch created; recorded by `mint`), 1 Procurement (materials or
    /// components sourced), 2 Assembling (made or assembled), 3 Packing, 4 Shipping (left a
    /// location), 5 Receiving (arrived at a location), 6 Storing, 7 Inspecting (quality check,
    /// certification audit), 8 Selling (ownership passed to a customer; `recordSale` records it),
    /// 9 Delivering (handed to the customer), 10 Returning, 11 Destroying (decommissioned, recycled),
    /// 12 Recalled (only through `recall`), 13 Other (described by the evidence document).
    enum Step {
        Commissioning,
        Procurement,
        Assembling,
        Packing,
        Shipping,
        Receiving,
        Storing,
        Inspecting,
        Selling,
        Delivering,
        Returning,
        Destroying,
        Recalled,
        Other
    }

    struct OriginView {
        address producer;
        uint64 mintedAt;
        bool recalled;
        string passportCid;
        string batchRef;
    }

    // ---------------------------------------------------------------- events

    /// @notice A token was minted to its producer with its origin record.
    event ProvenanceMinted(uint256 indexed tokenId, address indexed producer, string passportCid, string batchRef);

    /// @notice An event was appended to a token's trail. `head` is the trail's hash head after it.
    /// `corrects` is the index of the event this one corrects, or `NO_CORRECTION`. For a sale recorded
    /// by the Marketplace, `evidenceCid` is `order:` followed by the order id in hex ("order:0x...").
    event ProvenanceEventRecorded(
        uint256 indexed tokenId,
        Step indexed step,
        address indexed actor,
        uint32 index,
        uint64 time,
        string location,
        string evidenceCid,
        uint32 corrects,
        bytes28 head
    );

    /// @notice `grantedBy` (the producer or the holder) authorised `account` to append to the token's
    /// trail, or (`authorized == false`) withdrew that authorisation.
    event ProvenanceAppenderSet(
        uint256 indexed tokenId, address indexed account, address indexed grantedBy, bool authorized
    );

    /// @notice The Marketplace sold the token in order `orderId`: it moved from `from` to `to`.
    event ProvenanceSold(uint256 indexed tokenId, address indexed from, address indexed to, uint256 orderId);

    // ---------------------------------------------------------------- errors

    error ProvenanceZeroAddress();
    error ProvenanceEmptyCid();
    error ProvenanceBatchRefTooLong(uint256 length, uint256 maxLength);
    error ProvenanceUnauthorizedProducer(address account);
    error ProvenanceUnknownToken(uint256 tokenId);
    error ProvenanceUnauthorizedActor(uint256 tokenId, address account);
    error ProvenanceNotTokenProducer(uint256 tokenId, address account);
    error ProvenanceNotProducerOrHolder(uint256 tokenId, address account);
    error ProvenanceInvalidStep(uint8 step);
    error ProvenanceReservedStep(uint8 step);
    error ProvenanceInvalidCorrection(uint256 tokenId, uint32 corrects, uint32 count);
    error ProvenanceAlreadyRecalled(uint256 tokenId);
    error ProvenanceTokenRecalled(uint256 tokenId);
    error ProvenanceBuyerIsHolder(uint256 tokenId, address buyer);
    error ProvenanceSellerNotHolder(uint256 tokenId, address seller, address holder);

    // ---------------------------------------------------------------- producers

    /// @notice Mint a token for a product unit or batch to the caller, an approved producer, and record
    /// its `Commissioning` event (index 0) at `location` with the passport as evidence.
    /// @param passportCid IPFS CID of the product passport (ERC-721 metadata JSON); must not be empty
    /// @param batchRef batch, lot or serial reference, at most 31 bytes (GS1 allows 20 characters)
    /// @param location where the unit or batch was made: a GS1 SGLN URN, a GLN or a geo URI
    function mint(string calldata passportCid, string calldata batchRef, string calldata location)
        external
        returns (uint256 tokenId);

    /// @notice Flag a recall: appends a `Recalled` event with the recall notice as evidence and sets
    /// the token's recalled flag. Final. The token's producer only. A recalled token can still move
    /// and gain events (returning, destroying) but `recordSale` refuses it.
    function recall(uint256 tokenId, string calldata noticeCid) external returns (uint32 index);

    // ---------------------------------------------------------------- trail

    /// @notice Append an event to a token's trail, by an authorised actor (see the contract notice).
    /// `Commissioning` and `Recalled` are refused here (`mint` and `recall` record them).
    /// @param step a `Step` value
    /// @param location where it happened: a GS1 SGLN URN, a GLN or a geo URI
    /// @param evidenceCid IPFS CID of the evidence (EPCIS event document, photos, signed receipt)
    /// @return index the event's index in the trail
    function appendEvent(uint256 tokenId, uint8 step, string calldata location, string calldata evidenceCid)
        external
        returns (uint32 index);

    /// @notice Append an event that corrects the earlier event at index `corrects`, carrying the
    /// corrected data. Same actors as `appendEvent`; `Commissioning` is allowed here (to correct the
    /// origin event), `Recalled` is not.
    function appendCorrection(
        uint256 tokenId,
        uint32 corrects,
        uint8 step,
        string calldata location,
        string calldata evidenceCid
    ) external returns (uint32 index);

    /// @notice Authorise `account` (a carrier, a warehouse, an inspector) to append to the token's
    /// trail, or withdraw it. The producer or the current holder only. A producer's authorisation lasts;
    /// a holder's lasts while that holder holds the token. Either of them may withdraw any
    /// authorisation on the token.
    function setAppender(uint256 tokenId, address account, bool authorized) external;

    // ---------------------------------------------------------------- marketplace

    /// @notice Record the sale of a token in a Marketplace order: moves the token from `seller`, who
    /// must hold it, to `buyer` (no approval needed, no receiver callback) and appends a `Selling`
    /// event by the caller with `evidenceCid` "order:<orderId in hex>" and an empty location, in one
    /// call. `MARKETPLACE_ROLE` only. Refuses an unknown or recalled token, a token `seller` does not
    /// hold, a zero buyer and a buyer who already holds it; a caller that must not fail (order
    /// completion) should call it in a try/catch.
    function recordSale(uint256 tokenId, address seller, address buyer, uint256 orderId)
        external
        returns (uint32 index);

    // ---------------------------------------------------------------- views

    /// @notice The token's trail hash head and number of events (see the contract notice).
    function trailOf(uint256 tokenId) external view returns (bytes28 head, uint32 count);

    /// @notice Whether the token's producer flagged a recall.
    function isRecalled(uint256 tokenId) external view returns (bool);

    /// @notice The origin record: producer, mint time, recall flag, passport CID and batch reference.
    function originOf(uint256 tokenId) external view returns (OriginView memory);

    /// @notice Whether `account` may append to the token's trail now.
    function canAppend(uint256 tokenId, address account) external view returns (bool);

    /// @notice Whether `account` may mint: an active Marketplace seller or a `PRODUCER_ROLE` holder.
    function isProducer(address account) external view returns (bool);

    /// @notice Number of tokens minted; token ids run from 1 to `totalMinted()`.
    function totalMinted() external view returns (uint256);

    /// @notice The Marketplace whose active sellers are producers.
    function marketplace() external view returns (address);

    /// @notice One step of the hash chain, exactly as `appendEvent` computes it.
    function nextHead(
        bytes28 head,
        uint256 tokenId,
        uint32 index,
        uint8 step,
        address actor,
        uint64 time,
        string calldata location,
        string calldata evidenceCid,
        uint32 corrects
    ) external pure returns (bytes28);
}

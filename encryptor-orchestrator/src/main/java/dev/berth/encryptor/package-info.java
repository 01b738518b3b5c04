/**
 * Encrypted-image workflows on an {@code Ec2AsyncClient} and an event loop the caller owns:
 * {@link dev.berth.encryptor.Encryptor} runs {@code encrypt}, {@code update}, {@code diag},
 * {@code share-logs} and {@code cleanup}. Every run is a journaled pipeline
 * ({@code EncryptPipeline}: validation, a strategy, verification, {@code RunEndings}); every
 * resource it creates is tagged with its session at creation and recorded in its journal before
 * the run goes on, so {@code Cleanup} can always find it again. Public: the entry point, its
 * requests ({@code EncryptSpec}, {@code InstanceSettings}, {@code Session}) and its results;
 * everything else is package-private.
 */
package dev.berth.encryptor;

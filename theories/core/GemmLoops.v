(** This file states [Tensor.gemm] as the loops of its array realization
    (extraction/core/gemm_arrays.ml), for any scalar record: on well-shaped
    arguments ([length A = m * k], [length B = k * n]) the product is the
    row-major list whose entry (i, j) is the left fold over [l = 0 .. k-1]
    of [s_add acc (s_mul A[i*k+l] B[l*n+j])] from [s_zero]
    ([gemm_loops_eq]).  The realization transcribes [gemm_loops]. *)

From Coq Require Import List Arith Lia.
From Certigrad Require Import Scalar Tensor TensorFacts.
Import ListNotations.

Section GemmLoops.
Context {T : Type} (K : scalar_ops T).

Local Notation z := (s_zero K).

(** Entry (i, j): the sum over increasing [l], from zero. *)
Definition gemm_entry (k n : nat) (A B : list T) (i j : nat) : T :=
  fold_left (fun acc l => s_add K acc (s_mul K (nth (i * k + l) A z) (nth (l * n + j) B z)))
    (seq 0 k) z.

(** The [m x n] entries, row-major. *)
Definition gemm_loops (m k n : nat) (A B : list T) : list T :=
  concat (map (fun i => map (gemm_entry k n A B i) (seq 0 n)) (seq 0 m)).

Lemma fold_left_map_fuse {U} (f : T -> T -> T) (g : U -> T) (L : list U) a :
  fold_left f (map g L) a = fold_left (fun acc x => f acc (g x)) L a.
Proof. revert a; induction L as [|x L IH]; intros a; simpl; auto. Qed.

Lemma fold_left_seq_ext (f g : T -> nat -> T) s k a :
  (forall acc l, (s <= l < s + k)%nat -> f acc l = g acc l) ->
  fold_left f (seq s k) a = fold_left g (seq s k) a.
Proof.
  revert s a; induction k as [|k IH]; intros s a H; simpl; [reflexivity|].
  rewrite H by lia. apply IH. intros acc l Hl. apply H. lia.
Qed.

Lemma map2_as_seq (f : T -> T -> T) (a b : list T) k d :
  length a = k -> length b = k ->
  map2 f a b = map (fun l => f (nth l a d) (nth l b d)) (seq 0 k).
Proof.
  intros Ha Hb. apply (nth_ext _ _ d d).
  - rewrite map2_length, map_length, seq_length. lia.
  - intros l Hl. rewrite map2_length in Hl.
    rewrite nth_map2 by lia.
    rewrite (nth_map_in _ _ _ _ _ 0%nat) by (rewrite seq_length; lia).
    rewrite seq_nth by lia. reflexivity.
Qed.

(** [dot] is the loop over increasing index. *)
Lemma dot_as_loop (a b : list T) k :
  length a = k -> length b = k ->
  dot K a b = fold_left (fun acc l => s_add K acc (s_mul K (nth l a z) (nth l b z))) (seq 0 k) z.
Proof.
  intros Ha Hb. unfold dot, vsum, vmul.
  rewrite (map2_as_seq _ a b k z Ha Hb). apply fold_left_map_fuse.
Qed.

End GemmLoops.

(** [Tensor.gemm] is its loop form [gemm_loops] on well-shaped arguments, for
    any scalar record (restated in theories/headlines/). *)
Definition gemm_loops_eq_statement : Prop :=
  forall (T : Type) (K : scalar_ops T) (m k n : nat) (A B : list T),
  length A = (m * k)%nat -> length B = (k * n)%nat -> gemm K m k n A B = gemm_loops K m k n A B.

Theorem gemm_loops_eq : gemm_loops_eq_statement.
Proof.
  intros T K m k n A B HA HB. unfold gemm, gemm_loops, tensor. cbv zeta. f_equal.
  destruct (transpose_spec n (rows k n B) (s_zero K) (rows_uniform k n B HB)) as [Hc Hcn].
  unfold tensor in Hc, Hcn.
  apply (nth_ext _ _ [] []).
  - rewrite !map_length, rows_length, seq_length. reflexivity.
  - intros i Hi. rewrite map_length, rows_length in Hi.
    rewrite (nth_map_in _ _ _ _ _ []) by (rewrite rows_length; exact Hi).
    rewrite (nth_map_in _ _ _ _ _ 0%nat) by (rewrite seq_length; exact Hi).
    rewrite seq_nth by exact Hi. cbv beta. simpl (0 + i)%nat.
    apply (nth_ext _ _ (s_zero K) (s_zero K)).
    + rewrite !map_length, seq_length. exact Hc.
    + intros j Hj. rewrite map_length in Hj.
      rewrite (nth_map_in _ _ _ _ _ []) by exact Hj.
      assert (Hjn : (j < n)%nat) by lia.
      rewrite (nth_map_in _ _ _ _ _ 0%nat) by (rewrite seq_length; exact Hjn).
      rewrite seq_nth by exact Hjn. simpl (0 + j)%nat.
      rewrite (Hcn j Hjn).
      rewrite (dot_as_loop K _ _ k).
      * unfold gemm_entry. apply fold_left_seq_ext. intros acc l Hl.
        rewrite nth_nth_rows by lia.
        rewrite (nth_map_in _ _ _ _ _ []) by (rewrite rows_length; lia).
        rewrite nth_nth_rows by lia. reflexivity.
      * apply nth_rows_length; assumption.
      * rewrite map_length, rows_length. reflexivity.
Qed.


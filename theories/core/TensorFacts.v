(** This file collects facts about the tensor functions of Tensor.v at the
    real numbers, stated through entries ([nth k _ 0]) and finite sums:

    - [isum n f] = f 0 + ... + f (n-1), with its algebra (extensionality,
      linearity, shift, split, exchange of a double sum, flattening of a
      sum over [m * n] indices into a double sum) and its derivative;
    - the entries and lengths of [map], [map2], [map3], [tabulate];
    - [vsum] and [dot] as [isum]s;
    - the entries and lengths of [rows], [transpose], [concat], [gemm] and
      [mtranspose], under the length hypotheses of their shapes. *)

From Coq Require Import Reals List Arith Lia.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Scalar Tensor.
Import ListNotations.

Local Open Scope R_scope.

(** * Finite sums over indices *)

Fixpoint isum (n : nat) (f : nat -> R) : R :=
  match n with
  | O => 0
  | S n' => isum n' f + f n'
  end.

Lemma isum_ext n f g :
  (forall i, (i < n)%nat -> f i = g i) -> isum n f = isum n g.
Proof.
  induction n as [|n IH]; intros H; simpl; [reflexivity|].
  rewrite IH by (intros; apply H; lia). rewrite (H n) by lia. reflexivity.
Qed.

Lemma isum_zero n : isum n (fun _ => 0) = 0.
Proof. induction n; simpl; [reflexivity| rewrite IHn; ring]. Qed.

Lemma isum_plus n f g :
  isum n (fun i => f i + g i) = isum n f + isum n g.
Proof. induction n; simpl; [ring| rewrite IHn; ring]. Qed.

Lemma isum_scal_l n c f : isum n (fun i => c * f i) = c * isum n f.
Proof. induction n; simpl; [ring| rewrite IHn; ring]. Qed.

Lemma isum_scal_r n c f : isum n (fun i => f i * c) = isum n f * c.
Proof. induction n; simpl; [ring| rewrite IHn; ring]. Qed.

Lemma isum_opp n f : isum n (fun i => - f i) = - isum n f.
Proof. induction n; simpl; [ring| rewrite IHn; ring]. Qed.

Lemma isum_shift n f : isum (S n) f = f O + isum n (fun i => f (S i)).
Proof.
  induction n as [|n IH]; [simpl; ring|].
  change (isum (S (S n)) f) with (isum (S n) f + f (S n)).
  rewrite IH. simpl. ring.
Qed.

Lemma isum_add a b f :
  isum (a + b) f = isum a f + isum b (fun j => f (a + j)%nat).
Proof.
  induction b as [|b IH]; simpl.
  - rewrite Nat.add_0_r. ring.
  - rewrite Nat.add_succ_r. simpl. rewrite IH. ring.
Qed.

(** Exchange of a double sum. *)
Lemma isum_swap n m (f : nat -> nat -> R) :
  isum n (fun i => isum m (fun j => f i j)) = isum m (fun j => isum n (fun i => f i j)).
Proof.
  induction n as [|n IH]; simpl.
  - symmetry. apply isum_zero.
  - rewrite IH. rewrite <- isum_plus. reflexivity.
Qed.

(** A sum over the [m * n] entries of a row-major matrix, row by row. *)
Lemma isum_mul m n f :
  isum (m * n) f = isum m (fun i => isum n (fun j => f (i * n + j)%nat)).
Proof.
  induction m as [|m IH]; [reflexivity|].
  change (S m * n)%nat with (n + m * n)%nat.
  rewrite Nat.add_comm, isum_add, IH. reflexivity.
Qed.

Lemma is_derive_isum n (f : nat -> R -> R) (df : nat -> R) t0 :
  (forall i, (i < n)%nat -> is_derive (f i) t0 (df i)) ->
  is_derive (fun t => isum n (fun i => f i t)) t0 (isum n df).
Proof.
  induction n as [|n IH]; intros H; simpl.
  - apply (is_derive_const (V := R_NormedModule) 0 t0).
  - apply (is_derive_plus (K := R_AbsRing) (V := R_NormedModule)
             (fun t => isum n (fun i => f i t)) (f n)).
    + apply IH. intros; apply H; lia.
    + apply H; lia.
Qed.

(** * Entries of elementwise functions *)

Section Entries.
Context {A : Type}.

Lemma nth_map_in (B : Type) (f : A -> B) (l : list A) k (d : B) (d' : A) :
  (k < length l)%nat -> nth k (map f l) d = f (nth k l d').
Proof.
  intros Hk. rewrite (nth_indep _ d (f d')) by (rewrite map_length; exact Hk).
  apply map_nth.
Qed.

Lemma map2_length (f : A -> A -> A) xs ys :
  length (map2 f xs ys) = Nat.min (length xs) (length ys).
Proof.
  revert ys; induction xs as [|x xs IH]; intros [|y ys]; simpl; auto.
Qed.

Lemma nth_map2 (f : A -> A -> A) xs ys k d :
  (k < length xs)%nat -> (k < length ys)%nat ->
  nth k (map2 f xs ys) d = f (nth k xs d) (nth k ys d).
Proof.
  revert ys k; induction xs as [|x xs IH]; intros [|y ys] [|k] Hx Hy;
    simpl in *; try lia; auto.
  apply IH; lia.
Qed.

Lemma map3_length (f : A -> A -> A -> A) xs ys zs :
  length (map3 f xs ys zs) = Nat.min (length xs) (Nat.min (length ys) (length zs)).
Proof.
  revert ys zs; induction xs as [|x xs IH]; intros [|y ys] [|z zs]; simpl; auto.
Qed.

Lemma nth_map3 (f : A -> A -> A -> A) xs ys zs k d :
  (k < length xs)%nat -> (k < length ys)%nat -> (k < length zs)%nat ->
  nth k (map3 f xs ys zs) d = f (nth k xs d) (nth k ys d) (nth k zs d).
Proof.
  revert ys zs k; induction xs as [|x xs IH]; intros [|y ys] [|z zs] [|k] Hx Hy Hz;
    simpl in *; try lia; auto.
  apply IH; lia.
Qed.

End Entries.

(** The list [f 0; ...; f (n-1)]. *)
Definition tabulate (n : nat) (f : nat -> R) : list R := map f (seq 0 n).

Lemma tabulate_length n f : length (tabulate n f) = n.
Proof. unfold tabulate. rewrite map_length, seq_length. reflexivity. Qed.

Lemma nth_tabulate n f k : (k < n)%nat -> nth k (tabulate n f) 0 = f k.
Proof.
  intros Hk. unfold tabulate.
  rewrite (nth_map_in _ _ _ _ _ 0%nat) by (rewrite seq_length; exact Hk).
  rewrite seq_nth by exact Hk. reflexivity.
Qed.

(** * Sums and dot products as finite sums *)

Lemma fold_left_Rplus_isum (x : list R) a :
  fold_left Rplus x a = a + isum (length x) (fun i => nth i x 0).
Proof.
  revert a; induction x as [|h x IH]; intros a; cbn [fold_left length].
  - simpl. ring.
  - rewrite IH, isum_shift. simpl. ring.
Qed.

Lemma vsum_isum (x : list R) : vsum R_ops x = isum (length x) (fun i => nth i x 0).
Proof.
  unfold vsum. simpl. rewrite fold_left_Rplus_isum. ring.
Qed.

Lemma dot_isum (a b : list R) n :
  length a = n -> length b = n ->
  dot R_ops a b = isum n (fun i => nth i a 0 * nth i b 0).
Proof.
  intros Ha Hb. unfold dot, vmul. rewrite vsum_isum, map2_length, Ha, Hb, Nat.min_id.
  apply isum_ext. intros i Hi. simpl. rewrite nth_map2 by lia. reflexivity.
Qed.

(** * Matrices *)

Section Matrices.
Context {A : Type}.

Lemma nth_skipn (l : list A) m k d : nth k (skipn m l) d = nth (m + k) l d.
Proof.
  revert l; induction m as [|m IH]; intros l; [reflexivity|].
  destruct l as [|x l]; simpl.
  - destruct k; reflexivity.
  - apply IH.
Qed.

Lemma nth_firstn (l : list A) n k d : (k < n)%nat -> nth k (firstn n l) d = nth k l d.
Proof.
  revert l k; induction n as [|n IH]; intros l k Hk; [lia|].
  destruct l as [|x l]; simpl; [destruct k; reflexivity|].
  destruct k; [reflexivity|]. apply IH. lia.
Qed.

Lemma skipn_skipn' (l : list A) a b : skipn a (skipn b l) = skipn (b + a) l.
Proof.
  revert l; induction b as [|b IH]; intros l; [reflexivity|].
  destruct l as [|x l]; simpl; [destruct a; reflexivity|]. apply IH.
Qed.

Lemma rows_length m n (x : list A) : length (rows m n x) = m.
Proof. revert x; induction m; intros x; simpl; auto. Qed.

Lemma nth_rows m n (x : list A) i :
  (i < m)%nat -> nth i (rows m n x) [] = firstn n (skipn (i * n) x).
Proof.
  revert x i; induction m as [|m IH]; intros x i Hi; [lia|].
  destruct i as [|i]; simpl; [reflexivity|].
  rewrite IH by lia. rewrite skipn_skipn'. reflexivity.
Qed.

Lemma nth_rows_length m n (x : list A) i :
  length x = (m * n)%nat -> (i < m)%nat -> length (nth i (rows m n x) []) = n.
Proof.
  intros Hx Hi. rewrite nth_rows by exact Hi.
  apply firstn_length_le. rewrite skipn_length, Hx.
  assert (i * n + n <= m * n)%nat by nia. lia.
Qed.

Lemma nth_nth_rows m n (x : list A) i j d :
  (i < m)%nat -> (j < n)%nat -> nth j (nth i (rows m n x) []) d = nth (i * n + j) x d.
Proof.
  intros Hi Hj. rewrite nth_rows, nth_firstn, nth_skipn by assumption. reflexivity.
Qed.

Lemma cons_each_length (r : list A) cs :
  length r = length cs -> length (cons_each r cs) = length r.
Proof.
  revert cs; induction r as [|x r IH]; intros [|c cs] H; simpl in *; try lia; auto.
Qed.

Lemma nth_cons_each (r : list A) cs j d :
  length r = length cs -> (j < length r)%nat ->
  nth j (cons_each r cs) [] = nth j r d :: nth j cs [].
Proof.
  revert cs j; induction r as [|x r IH]; intros [|c cs] j H Hj; simpl in *; try lia.
  destruct j as [|j]; [reflexivity|]. apply IH; lia.
Qed.

(** The transpose of rows of [n] entries: [n] columns, column [j] made of the
    [j]-th entries of the rows. *)
Lemma transpose_spec n (rs : list (list A)) d :
  List.Forall (fun r => length r = n) rs ->
  length (Tensor.transpose n rs) = n /\
  forall j, (j < n)%nat -> nth j (Tensor.transpose n rs) [] = map (fun r => nth j r d) rs.
Proof.
  induction rs as [|r rs IH]; intros H; simpl.
  - rewrite repeat_length. split; [reflexivity|].
    intros j Hj. apply nth_repeat.
  - inversion H as [|? ? Hr Hrs]; subst. destruct (IH Hrs) as [Hl Hn].
    split.
    + rewrite cons_each_length; lia.
    + intros j Hj. rewrite (nth_cons_each _ _ _ d) by lia. rewrite Hn by exact Hj.
      reflexivity.
Qed.

Lemma concat_length_uniform n (L : list (list A)) :
  List.Forall (fun l => length l = n) L -> length (concat L) = (length L * n)%nat.
Proof.
  induction L as [|l L IH]; intros H; simpl; [reflexivity|].
  inversion H; subst. rewrite app_length, IH by assumption. reflexivity.
Qed.

Lemma nth_concat_uniform n (L : list (list A)) i j d :
  List.Forall (fun l => length l = n) L -> (i < length L)%nat -> (j < n)%nat ->
  nth (i * n + j) (concat L) d = nth j (nth i L []) d.
Proof.
  revert i; induction L as [|l L IH]; intros i H Hi Hj; simpl in *; [lia|].
  inversion H as [|? ? Hl HL]; subst.
  destruct i as [|i]; simpl.
  - rewrite app_nth1 by lia. reflexivity.
  - rewrite app_nth2 by lia.
    replace (length l + i * length l + j - length l)%nat with (i * length l + j)%nat by lia.
    apply IH; auto; lia.
Qed.

Lemma rows_uniform m n (x : list A) :
  length x = (m * n)%nat -> List.Forall (fun r => length r = n) (rows m n x).
Proof.
  intros Hx. apply Forall_forall. intros r Hr.
  destruct (In_nth _ _ [] Hr) as [i [Hi <-]].
  rewrite rows_length in Hi. apply nth_rows_length; assumption.
Qed.

End Matrices.

(** A flat index below [m * n] is a row-major position. *)
Lemma flat_index m n p :
  (p < m * n)%nat -> exists i j, (i < m)%nat /\ (j < n)%nat /\ p = (i * n + j)%nat.
Proof.
  intros Hp. assert (Hn : n <> O) by (intros ->; lia).
  exists (p / n)%nat, (p mod n)%nat. split; [|split].
  - apply Nat.div_lt_upper_bound; lia.
  - apply Nat.mod_upper_bound; exact Hn.
  - rewrite Nat.mul_comm. apply Nat.div_mod. exact Hn.
Qed.

Section Gemm.

Lemma gemm_length m k n (A B : list R) :
  length A = (m * k)%nat -> length B = (k * n)%nat ->
  length (gemm R_ops m k n A B) = (m * n)%nat.
Proof.
  intros HA HB. unfold gemm, tensor.
  destruct (transpose_spec n (rows k n B) 0 (rows_uniform k n B HB)) as [Hc _].
  unfold tensor in *.
  rewrite (concat_length_uniform n).
  - rewrite map_length, rows_length. reflexivity.
  - apply Forall_forall. intros r Hr. apply in_map_iff in Hr.
    destruct Hr as [a [<- _]]. rewrite map_length. exact Hc.
Qed.

Lemma nth_gemm m k n (A B : list R) i j :
  length A = (m * k)%nat -> length B = (k * n)%nat ->
  (i < m)%nat -> (j < n)%nat ->
  nth (i * n + j) (gemm R_ops m k n A B) 0 =
  isum k (fun l => nth (i * k + l) A 0 * nth (l * n + j) B 0).
Proof.
  intros HA HB Hi Hj. unfold gemm, tensor.
  destruct (transpose_spec n (rows k n B) 0 (rows_uniform k n B HB)) as [Hc Hcn].
  unfold tensor in *.
  rewrite (nth_concat_uniform n).
  - rewrite (nth_map_in _ _ _ _ _ []) by (rewrite rows_length; exact Hi).
    rewrite (nth_map_in _ _ _ _ _ []) by (unfold tensor in *; lia).
    rewrite Hcn by exact Hj.
    rewrite (dot_isum _ _ k).
    + apply isum_ext. intros l Hl.
      rewrite nth_nth_rows by assumption.
      rewrite (nth_map_in _ _ _ _ _ []) by (rewrite rows_length; exact Hl).
      rewrite nth_nth_rows by assumption. reflexivity.
    + apply nth_rows_length; assumption.
    + rewrite map_length, rows_length. reflexivity.
  - apply Forall_forall. intros r Hr. apply in_map_iff in Hr.
    destruct Hr as [a [<- _]]. rewrite map_length. exact Hc.
  - rewrite map_length, rows_length. exact Hi.
  - exact Hj.
Qed.

Lemma mtranspose_length m n (A : list R) :
  length A = (m * n)%nat -> length (mtranspose m n A) = (n * m)%nat.
Proof.
  intros HA. unfold mtranspose, tensor.
  destruct (transpose_spec n (rows m n A) 0 (rows_uniform m n A HA)) as [Hc Hcn].
  unfold tensor in *.
  rewrite (concat_length_uniform m), Hc; [reflexivity|].
  apply Forall_forall. intros c Hin.
  destruct (In_nth _ _ [] Hin) as [j [Hj <-]]. rewrite Hc in Hj.
  rewrite Hcn by exact Hj. rewrite map_length, rows_length. reflexivity.
Qed.

Lemma nth_mtranspose m n (A : list R) i j :
  length A = (m * n)%nat -> (i < m)%nat -> (j < n)%nat ->
  nth (j * m + i) (mtranspose m n A) 0 = nth (i * n + j) A 0.
Proof.
  intros HA Hi Hj. unfold mtranspose, tensor.
  destruct (transpose_spec n (rows m n A) 0 (rows_uniform m n A HA)) as [Hc Hcn].
  unfold tensor in *.
  rewrite (nth_concat_uniform m).
  - rewrite Hcn by exact Hj.
    rewrite (nth_map_in _ _ _ _ _ []) by (rewrite rows_length; exact Hi).
    apply nth_nth_rows; assumption.
  - apply Forall_forall. intros c Hin.
    destruct (In_nth _ _ [] Hin) as [j' [Hj' <-]]. rewrite Hc in Hj'.
    rewrite Hcn by exact Hj'. rewrite map_length, rows_length. reflexivity.
  - rewrite Hc. exact Hj.
  - exact Hi.
Qed.

End Gemm.

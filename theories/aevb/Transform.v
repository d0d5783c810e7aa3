(** * Graph transformations (the functions)

    Two rewrites of Certigrad's AEVB case study, as functions on graphs
    over any scalar type, extracted with the oracle.  Each returns the
    rewritten graph, or [Err] with a message naming the node when the
    pattern does not match.  Their theorems (expected cost preserved) are
    IntegrateKl.v and Reparameterize.v.

    - [integrate_kl kl g]: node [kl] is [mvn_empirical_kl(mu, sigma, z)],
      a cost that no node uses, and [z] is an earlier node drawn from
      [mvn(mu, sigma)] (the same two references): [kl] becomes
      [mvn_kl(mu, sigma)], the expectation of the empirical KL over [z].
    - [reparameterize z eps g]: node [z ~ mvn(mu, sigma)] becomes the two
      nodes [eps ~ mvn_std] (of [z]'s shape; [eps] a new name) and
      [z = mul_add(sigma, eps, mu)] = sigma * eps + mu. *)

From Coq Require Import List String Bool.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed.
Import ListNotations.
Open Scope string_scope.

Section Transform.
Context {T : Type}.

(** The first node named [x], with the nodes before and after it. *)
Fixpoint split_at (x : string) (ns : list (node T))
    : option (list (node T) * node T * list (node T)) :=
  match ns with
  | [] => None
  | n :: ns' =>
      if String.eqb (node_name n) x then Some ([], n, ns')
      else match split_at x ns' with
           | Some (pre, m, post) => Some (n :: pre, m, post)
           | None => None
           end
  end.

(** The first node of [ns] that has [x] as a parent. *)
Definition first_user (x : string) (ns : list (node T)) : option (node T) :=
  find (fun n => mem x (node_parents n)) ns.

Definition with_nodes (g : graph T) (ns : list (node T)) : graph T :=
  mk_graph (g_inputs g) (g_params g) ns (g_costs g).

Definition node_msg (x msg : string) : string := "node '" ++ x ++ "': " ++ msg.

Definition integrate_kl (kl : string) (g : graph T) : res (graph T) :=
  match split_at kl (g_nodes g) with
  | None => Err (node_msg kl "no such node")
  | Some (pre, NDet r MvnEmpiricalKl [mu; sigma; z], post) =>
      match split_at z pre with
      | Some (_, NRand _ Mvn [mu'; sigma'], _) =>
          if negb (String.eqb mu mu' && String.eqb sigma sigma') then
            Err (node_msg kl ("its sample '" ++ z ++ "' is not drawn from mvn " ++ mu
                              ++ " " ++ sigma))
          else if negb (mem kl (g_costs g)) then Err (node_msg kl "is not a cost")
          else match first_user kl (g_nodes g) with
               | Some n => Err (node_msg kl ("is a parent of node '" ++ node_name n ++ "'"))
               | None => Ok (with_nodes g (pre ++ NDet r MvnKl [mu; sigma] :: post))
               end
      | _ => Err (node_msg kl ("its sample '" ++ z ++ "' is not an earlier mvn node"))
      end
  | Some _ => Err (node_msg kl "is not mvn_empirical_kl of three parents")
  end.

Definition reparameterize (z eps : string) (g : graph T) : res (graph T) :=
  if mem eps (map ref_name (all_refs g)) then Err (node_msg eps "the name is already used")
  else match split_at z (g_nodes g) with
  | None => Err (node_msg z "no such node")
  | Some (pre, NRand r Mvn [mu; sigma], post) =>
      Ok (with_nodes g (pre ++ NRand (mk_ref eps (ref_shape r)) MvnStd []
                            :: NDet r MulAdd [sigma; eps; mu] :: post))
  | Some _ => Err (node_msg z "is not drawn from mvn of two parents")
  end.

End Transform.
